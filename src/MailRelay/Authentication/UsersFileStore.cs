using MailRelay.Hosting;

namespace MailRelay.Authentication;

/// <summary>
/// The users of SMTP_AUTH_USERS_FILE, read at start (an invalid file stops the daemon) and reloaded when the file
/// changes (<see cref="MountedFileReloader"/>). A changed file that does not parse keeps the previous users and logs
/// an error.
/// </summary>
public sealed class UsersFileStore : MountedFileReloader
{
    private readonly string _path;
    private readonly ILogger<UsersFileStore> _logger;
    private IReadOnlyDictionary<string, UserSecret> _users;

    /// <exception cref="InvalidOperationException">The file cannot be read or is not valid.</exception>
    public UsersFileStore(string path, TimeProvider time, ILogger<UsersFileStore> logger)
        : base([Path.GetFullPath(path ?? throw new ArgumentNullException(nameof(path)))], time)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _path = Path.GetFullPath(path);
        _logger = logger;
        if (!UsersFile.TryReadBytes(_path, out var content, out var error))
        {
            throw new InvalidOperationException($"SMTP_AUTH_USERS_FILE: {error}");
        }

        var load = UsersFile.Parse(content);
        if (!load.IsValid)
        {
            throw new InvalidOperationException($"SMTP_AUTH_USERS_FILE: '{_path}' {string.Join(" ", load.Errors)}");
        }

        _users = load.Users;
        Loaded(content);
        AuthLog.UsersLoaded(_logger, _path, _users.Count);
    }

    /// <summary>The users now in force.</summary>
    public IReadOnlyDictionary<string, UserSecret> Users => Volatile.Read(ref _users);

    protected override bool TryRead(out byte[] content)
    {
        if (UsersFile.TryReadBytes(_path, out content, out var error))
        {
            return true;
        }

        AuthLog.ReloadFailed(_logger, _path, error);
        return false;
    }

    protected override bool TryApply(byte[] content)
    {
        var load = UsersFile.Parse(content);
        if (!load.IsValid)
        {
            AuthLog.ReloadFailed(_logger, _path, string.Join(" ", load.Errors));
            return false;
        }

        Volatile.Write(ref _users, load.Users);
        AuthLog.UsersReloaded(_logger, _path, load.Users.Count);
        return true;
    }

    protected override void WatchFailed(string directory, string reason) => AuthLog.WatchFailed(_logger, _path, reason, CheckInterval);
}
