namespace MailRelay.Hosting;

/// <summary>
/// Calls back when files mounted from a Kubernetes Secret may have changed. Kubernetes updates a mounted Secret by
/// swapping a symlink in the files' directory, so the directories are watched, not the files; a check every
/// <c>checkInterval</c> catches what a lost notification would miss. The owner decides, from the content, whether
/// anything really changed.
/// </summary>
internal sealed class MountedFilesWatch : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _timer;

    /// <param name="paths">The files; their directories are watched.</param>
    /// <param name="check">Called on every notification and every interval; may run concurrently with itself.</param>
    /// <param name="watchFailed">Called with the directory and the reason when a directory cannot be watched (the interval checks still run).</param>
    public MountedFilesWatch(IEnumerable<string> paths, TimeSpan checkInterval, TimeProvider time, Action check, Action<string, string> watchFailed)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(watchFailed);
        var directories = paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p)) ?? "/").Distinct(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            try
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += (_, _) => check();
                watcher.Created += (_, _) => check();
                watcher.Renamed += (_, _) => check();
                watcher.Deleted += (_, _) => check();
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                watchFailed(directory, ex.Message);
            }
        }

        _timer = time.CreateTimer(_ => check(), null, checkInterval, checkInterval);
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
        _timer.Dispose();
    }
}
