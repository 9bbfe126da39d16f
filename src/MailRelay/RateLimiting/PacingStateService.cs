namespace MailRelay.RateLimiting;

/// <summary>
/// Keeps the <see cref="PacingRegistry"/> on disk: restores <c>DATA_DIR/pacing/state.json</c> at start, saves it
/// when something changed (at most every <see cref="PacingOptions.SaveInterval"/>) and at shutdown, and applies the
/// reset requests that <c>rate reset</c> drops in <c>DATA_DIR/pacing/control/</c> while the daemon runs (noticed
/// by a file watcher, and looked for at every save tick in case a notification is lost).
/// </summary>
public sealed class PacingStateService : IHostedService, IDisposable
{
    private readonly PacingRegistry _pacing;
    private readonly PacingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PacingStateService> _logger;
    private readonly string _path;
    private readonly Lock _saveSync = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (long, long)? _savedMark;
    private int _controlPending;
    private FileSystemWatcher? _watcher;
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    public PacingStateService(PacingRegistry pacing, TimeProvider time, ILogger<PacingStateService> logger)
    {
        ArgumentNullException.ThrowIfNull(pacing);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _pacing = pacing;
        _options = pacing.Options;
        _time = time;
        _logger = logger;
        _path = PacingStateFile.PathOf(_options.DataDirectory);
    }

    /// <summary>Raised after the state was written to disk.</summary>
    public event EventHandler? StateSaved;

    /// <summary>Raised after pending control requests were applied (at least one).</summary>
    public event EventHandler? ControlApplied;

    /// <summary>Restores the saved state and applies waiting requests before delivery starts, then starts the save loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Restore();
        ApplyControlRequests();
        _watcher = WatchControlDirectory();
        _stopping = new CancellationTokenSource();

        // Runs up to its first wait here, so the first save tick is on the clock when StartAsync returns.
        _loop = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        if (_stopping is { } stopping && _loop is not null)
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ApplyControlRequests();
        SaveIfChanged();
    }

    /// <summary>Idempotent: the host disposes this once as a singleton and once as a hosted service.</summary>
    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
        var stopping = Interlocked.Exchange(ref _stopping, null);
        if (stopping is not null)
        {
            stopping.Cancel();
            stopping.Dispose();
        }
    }

    /// <summary>Takes over the saved state, if there is a readable one. Returns whether a state file was read.</summary>
    public bool Restore()
    {
        PacingState? state;
        try
        {
            state = PacingStateFile.Read(_path);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            PacingLog.StateUnreadable(_logger, _path, ex.Message);
            return false;
        }

        if (state is null)
        {
            _savedMark = _pacing.ChangeMark();
            return false;
        }

        var adaptive = _pacing.RestoreState(state);
        PacingLog.StateRestored(_logger, _path, state.SavedAt, state.Providers.Count, adaptive ? "taken over" : "too old, started afresh");

        // What was just read is what the file holds: nothing to save until something changes.
        _savedMark = _pacing.ChangeMark();
        return true;
    }

    /// <summary>Writes the state when it changed since the last save. Returns whether it wrote.</summary>
    public bool SaveIfChanged()
    {
        lock (_saveSync)
        {
            var mark = _pacing.ChangeMark();
            if (_savedMark == mark)
            {
                return false;
            }

            try
            {
                PacingStateFile.Write(_path, _pacing.ExportState());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Kept unsaved: the next tick tries again.
                PacingLog.StateSaveFailed(_logger, _path, ex.Message);
                return false;
            }

            _savedMark = mark;
        }

        StateSaved?.Invoke(this, EventArgs.Empty);
        return true;
    }

    /// <summary>Applies and removes the pending reset requests; returns how many were applied.</summary>
    public int ApplyControlRequests()
    {
        Interlocked.Exchange(ref _controlPending, 0);
        var applied = 0;
        IReadOnlyList<(string Path, ProviderKey? Reset)> pending;
        try
        {
            pending = PacingControlDirectory.ReadPending(_options.DataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PacingLog.ControlIgnored(_logger, PacingControlDirectory.PathOf(_options.DataDirectory), ex.Message);
            return 0;
        }

        foreach (var (path, provider) in pending)
        {
            if (provider is { } key)
            {
                _pacing.Reset(key);
                applied++;
            }
            else
            {
                PacingLog.ControlIgnored(_logger, Path.GetFileName(path), "not a request");
            }

            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                PacingLog.ControlIgnored(_logger, Path.GetFileName(path), "cannot remove: " + ex.Message);
            }
        }

        if (applied > 0)
        {
            ControlApplied?.Invoke(this, EventArgs.Empty);
        }

        return applied;
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var nextSave = _time.GetUtcNow() + _options.SaveInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before looking at the flag, so a request that arrives in between still wakes the next wait.
            var wake = Volatile.Read(ref _wake).Task;
            if (Volatile.Read(ref _controlPending) != 0)
            {
                ApplyControlRequests();
            }

            var wait = nextSave - _time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                ApplyControlRequests();
                SaveIfChanged();
                nextSave = _time.GetUtcNow() + _options.SaveInterval;
                continue;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(wait, _time, timer.Token);
            await Task.WhenAny(wake, delay).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
            try
            {
                await delay.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Woken early, or stopping.
            }
        }
    }

    private FileSystemWatcher? WatchControlDirectory()
    {
        try
        {
            var directory = PacingControlDirectory.PathOf(_options.DataDirectory);
            Directory.CreateDirectory(directory);
            var watcher = new FileSystemWatcher(directory, "*" + PacingControlDirectory.RequestExtension);
            watcher.Created += (_, _) => ControlRequested();
            watcher.Renamed += (_, _) => ControlRequested();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Without notifications requests are still applied at every save tick.
            PacingLog.ControlIgnored(_logger, "watch " + PacingControlDirectory.PathOf(_options.DataDirectory), ex.Message);
            return null;
        }
    }

    private void ControlRequested()
    {
        Interlocked.Exchange(ref _controlPending, 1);
        Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
