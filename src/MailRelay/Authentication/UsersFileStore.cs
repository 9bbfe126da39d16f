using System.Security.Cryptography;
using MailRelay.Hosting;

namespace MailRelay.Authentication;

/// <summary>
/// The users of SMTP_AUTH_USERS_FILE, read at start (an invalid file stops the daemon) and reloaded when the file
/// changes (<see cref="MountedFilesWatch"/>, checked at least every <see cref="CheckInterval"/>); the content decides
/// whether anything changed. A changed file that does not parse keeps the previous users and logs an error.
/// </summary>
public sealed class UsersFileStore : IHostedService, IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger<UsersFileStore> _logger;
    private readonly Lock _reloadSync = new();
    private IReadOnlyDictionary<string, UserSecret> _users;
    private byte[] _fingerprint;
    private MountedFilesWatch? _watch;

    /// <exception cref="InvalidOperationException">The file cannot be read or is not valid.</exception>
    public UsersFileStore(string path, TimeProvider time, ILogger<UsersFileStore> logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _path = Path.GetFullPath(path);
        _time = time;
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
        _fingerprint = SHA256.HashData(content);
        AuthLog.UsersLoaded(_logger, _path, _users.Count);
    }

    /// <summary>The users now in force.</summary>
    public IReadOnlyDictionary<string, UserSecret> Users => Volatile.Read(ref _users);

    /// <summary>Raised after a changed file was checked: the users were replaced, or the change was refused.</summary>
    public event EventHandler? ChangeHandled;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = new MountedFilesWatch(
            [_path], CheckInterval, _time, () => ReloadIfChanged(), (_, reason) => AuthLog.WatchFailed(_logger, _path, reason, CheckInterval));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _watch = null;
    }

    /// <summary>
    /// Reads the file and, when its content differs from what was last seen, takes the new users (or keeps the old
    /// ones and logs why). True when the users were replaced.
    /// </summary>
    internal bool ReloadIfChanged()
    {
        bool replaced;
        lock (_reloadSync)
        {
            if (!UsersFile.TryReadBytes(_path, out var content, out var error))
            {
                // Missing for a moment, or unreadable: the users in force stay; the next change or check tries again.
                AuthLog.ReloadFailed(_logger, _path, error);
                return false;
            }

            var fingerprint = SHA256.HashData(content);
            if (CryptographicOperations.FixedTimeEquals(fingerprint, _fingerprint))
            {
                return false;
            }

            // Remembered either way, so a bad file is reported once, not at every check until it is fixed.
            _fingerprint = fingerprint;
            var load = UsersFile.Parse(content);
            replaced = load.IsValid;
            if (replaced)
            {
                Volatile.Write(ref _users, load.Users);
                AuthLog.UsersReloaded(_logger, _path, load.Users.Count);
            }
            else
            {
                AuthLog.ReloadFailed(_logger, _path, string.Join(" ", load.Errors));
            }
        }

        ChangeHandled?.Invoke(this, EventArgs.Empty);
        return replaced;
    }
}
