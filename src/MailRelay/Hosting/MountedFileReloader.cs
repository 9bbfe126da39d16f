using System.Security.Cryptography;

namespace MailRelay.Hosting;

/// <summary>
/// Something read from files mounted from a Kubernetes Secret (the SMTP AUTH users, the TLS certificate), read again
/// when the files change (<see cref="MountedFilesWatch"/>, checked at least every <see cref="CheckInterval"/>). The
/// SHA-256 of the content decides whether anything changed; a changed content that cannot be used leaves the previous
/// one in force and is reported once, not at every check until it is fixed.
/// </summary>
public abstract class MountedFileReloader : IHostedService, IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private readonly IReadOnlyList<string> _paths;
    private readonly TimeProvider _time;
    private readonly Lock _reloadSync = new();
    private byte[] _fingerprint = [];
    private MountedFilesWatch? _watch;

    protected MountedFileReloader(IReadOnlyList<string> paths, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(time);
        _paths = paths;
        _time = time;
    }

    /// <summary>Raised after a changed content was checked: it was taken into use, or refused.</summary>
    public event EventHandler? ChangeHandled;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = new MountedFilesWatch(_paths, CheckInterval, _time, () => ReloadIfChanged(), WatchFailed);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Reads the files and, when their content differs from what was last seen, takes it into use (or keeps the
    /// previous one). True when the new content is in use.
    /// </summary>
    internal bool ReloadIfChanged()
    {
        bool replaced;
        lock (_reloadSync)
        {
            if (!TryRead(out var content))
            {
                // Missing for a moment, or unreadable: what is in force stays; the next change or check tries again.
                return false;
            }

            var fingerprint = SHA256.HashData(content);
            if (CryptographicOperations.FixedTimeEquals(fingerprint, _fingerprint))
            {
                return false;
            }

            // Remembered either way, so a bad content is reported once.
            _fingerprint = fingerprint;
            replaced = TryApply(content);
        }

        ChangeHandled?.Invoke(this, EventArgs.Empty);
        return replaced;
    }

    /// <summary>Remembers the content taken into use at start, so the first check does not take it again.</summary>
    protected void Loaded(byte[] content) => _fingerprint = SHA256.HashData(content);

    /// <summary>The files' content now; false when they cannot be read just now (log it if that is worth saying).</summary>
    protected abstract bool TryRead(out byte[] content);

    /// <summary>Takes a changed content into use; false, after logging why, when it cannot be used.</summary>
    protected abstract bool TryApply(byte[] content);

    /// <summary>A directory of the files cannot be watched; the interval checks still run.</summary>
    protected abstract void WatchFailed(string directory, string reason);

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _watch?.Dispose();
            _watch = null;
        }
    }
}
