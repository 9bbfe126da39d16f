namespace MailRelay.Queue;

/// <summary>
/// Moves fsync'd message files into the committed directory and makes the moves durable with directory
/// fsyncs shared by every message waiting at that moment. Under load many sessions share one directory
/// fsync, so durability does not cap throughput; a lone message still commits at once (nothing waits to
/// fill a batch).
/// </summary>
/// <remarks>
/// Each session renames its own file, at once and side by side with the others; only the directory fsync
/// is shared. A message's task completes when an fsync that began after its rename has finished: one fsync
/// runs at a time, and each covers every message renamed before it started. A session therefore waits at
/// most for the fsync in progress and then its own, never behind other messages' renames.
/// </remarks>
internal sealed class GroupCommitter : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly SpoolLayout _layout;
    private readonly IDiskSync _diskSync;
    private readonly SpoolStatistics _statistics;
    private readonly ILogger _logger;
    private readonly int _maxBatchSize;
    private readonly Action<int>? _waitingChanged;
    private readonly Action<QueueEntry>? _committed;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<PendingCommit> _waiting = [];
    private int _entering;
    private bool _syncRunning;
    private bool _started;
    private bool _closed;

    /// <param name="maxBatchSize">Most messages per directory fsync; 1 disables batching (for measurement).</param>
    /// <param name="waitingChanged">
    /// Observes the number of messages moved into place and waiting for a directory fsync that has not begun
    /// (for tests).
    /// </param>
    public GroupCommitter(
        SpoolLayout layout,
        IDiskSync diskSync,
        SpoolStatistics statistics,
        ILogger logger,
        int maxBatchSize,
        Action<int>? waitingChanged,
        Action<QueueEntry>? committed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _layout = layout;
        _diskSync = diskSync;
        _statistics = statistics;
        _logger = logger;
        _maxBatchSize = maxBatchSize;
        _waitingChanged = waitingChanged;
        _committed = committed;
    }

    public void Start()
    {
        lock (_lock)
        {
            _started = true;
        }
    }

    /// <summary>
    /// Moves the message into the committed directory now; the task completes when the move is durable, or
    /// faults with a <see cref="SpoolException"/> (the message is then no longer in the committed area).
    /// </summary>
    public Task CommitAsync(PendingCommit commit)
    {
        lock (_lock)
        {
            if (!_started || _closed)
            {
                var refused = new SpoolException(SpoolFailureReason.Unavailable, "The spool is shutting down.") { QueueId = commit.QueueId };
                return Task.FromException(refused);
            }

            _entering++;
        }

        var moved = false;
        try
        {
            // No overwrite: an id clash with an existing message must fail, never replace it.
            _diskSync.Move(commit.IncomingPath, commit.ActivePath);
            moved = true;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolLog.MoveFailed(_logger, commit.QueueId, ex);
            Fail(commit, SpoolFailureReason.CommitFailed, ex);
        }
        finally
        {
            Enqueue(commit, moved);
        }

        return commit.Completion.Task;
    }

    /// <summary>Stops taking messages, finishes the fsyncs owed to those already moved, and returns.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _closed = true;
            SignalIfDrained();
        }

        await _drained.Task.ConfigureAwait(false);
    }

    private void Enqueue(PendingCommit commit, bool moved)
    {
        int waiting;
        lock (_lock)
        {
            _entering--;
            if (!moved)
            {
                SignalIfDrained();
                return;
            }

            _waiting.Add(commit);
            waiting = _waiting.Count;
            if (!_syncRunning)
            {
                _syncRunning = true;
                _ = Task.Run(SyncWhileWaitedFor);
            }
        }

        _waitingChanged?.Invoke(waiting);
    }

    /// <summary>Runs directory fsyncs back to back for as long as moved messages wait for one, then ends.</summary>
    private void SyncWhileWaitedFor()
    {
        while (true)
        {
            List<PendingCommit> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _syncRunning = false;
                    SignalIfDrained();
                    return;
                }

                if (_waiting.Count <= _maxBatchSize)
                {
                    batch = _waiting;
                    _waiting = [];
                }
                else
                {
                    batch = _waiting.GetRange(0, _maxBatchSize);
                    _waiting.RemoveRange(0, _maxBatchSize);
                }
            }

            try
            {
                CommitBatch(batch);
            }
#pragma warning disable CA1031 // The loop must survive anything, or every later session would hang.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                SpoolLog.CommitterFailed(_logger, batch.Count, ex);
                foreach (var commit in batch)
                {
                    SpoolFiles.TryDelete(_diskSync, commit.ActivePath, _logger);
                    Fail(commit, SpoolFailureReason.CommitFailed, ex);
                }
            }
        }
    }

    private void CommitBatch(List<PendingCommit> batch)
    {
        _statistics.AddBatch();
        try
        {
            SyncActiveDirectory();
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            // The renames may or may not have reached the disk; the clients hear 451 and will retry, so
            // the files go. Removing them is itself unsure to be durable: at worst a refused message is
            // delivered as well as its retry, which is better than losing an acknowledged one.
            SpoolLog.DirectorySyncFailed(_logger, batch.Count, ex);
            foreach (var commit in batch)
            {
                SpoolFiles.TryDelete(_diskSync, commit.ActivePath, _logger);
                Fail(commit, SpoolFailureReason.SyncFailed, ex);
            }

            try
            {
                SyncActiveDirectory();
            }
            catch (Exception retry) when (SpoolFiles.IsIoFailure(retry))
            {
                SpoolLog.DirectorySyncFailed(_logger, 0, retry);
            }

            return;
        }

        foreach (var commit in batch)
        {
            _statistics.AddCommitted(commit.ContentLength);
            commit.Completion.TrySetResult();
        }

        if (_committed is not null)
        {
            // After every session of the batch has its answer: the notification never delays a 250.
            foreach (var commit in batch)
            {
                _committed(commit.Entry);
            }
        }

        SpoolLog.BatchCommitted(_logger, batch.Count);
    }

    /// <summary>Completes disposal once closed with no message between its rename and its fsync. Under the lock.</summary>
    private void SignalIfDrained()
    {
        if (_closed && _entering == 0 && !_syncRunning)
        {
            _drained.TrySetResult();
        }
    }

    private void SyncActiveDirectory()
    {
        _statistics.AddDirectorySync();
        _diskSync.SyncDirectory(_layout.ActiveDirectory);
    }

    private void Fail(PendingCommit commit, SpoolFailureReason reason, Exception cause)
    {
        var failure = new SpoolException(
            reason, $"Committing message {commit.QueueId} failed: {cause.Message}", cause)
        { QueueId = commit.QueueId };
        if (commit.Completion.TrySetException(failure))
        {
            _statistics.AddFailed();
        }
    }
}
