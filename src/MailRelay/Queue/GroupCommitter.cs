using System.Threading.Channels;

namespace MailRelay.Queue;

/// <summary>
/// Moves fsync'd message files into the committed directory. One loop takes every message that is ready
/// at that moment, renames them all, and makes the renames durable with a single directory fsync; while
/// that fsync runs the next batch gathers. Under load many sessions share one directory fsync, so
/// durability does not cap throughput; a lone message still commits at once (nothing waits to fill a batch).
/// </summary>
internal sealed class GroupCommitter : IAsyncDisposable
{
    private readonly Channel<PendingCommit> _queue =
        Channel.CreateUnbounded<PendingCommit>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SpoolLayout _layout;
    private readonly IDiskSync _diskSync;
    private readonly SpoolStatistics _statistics;
    private readonly ILogger _logger;
    private readonly int _maxBatchSize;
    private readonly Action<int>? _waitingChanged;
    private readonly Action<string>? _committed;
    private Task _loop = Task.CompletedTask;
    private int _waiting;

    /// <param name="maxBatchSize">Most messages per directory fsync; 1 disables batching (for measurement).</param>
    /// <param name="waitingChanged">
    /// Observes the number of messages queued and not yet taken into a batch (for tests; the count can
    /// lag by the messages being queued at that instant).
    /// </param>
    public GroupCommitter(
        SpoolLayout layout,
        IDiskSync diskSync,
        SpoolStatistics statistics,
        ILogger logger,
        int maxBatchSize,
        Action<int>? waitingChanged,
        Action<string>? committed = null)
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

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Queues a message for the next batch; the task completes when it is durable in place.</summary>
    public Task CommitAsync(PendingCommit commit)
    {
        if (!_queue.Writer.TryWrite(commit))
        {
            var refused = new SpoolException(SpoolFailureReason.Unavailable, "The spool is shutting down.") { QueueId = commit.QueueId };
            return Task.FromException(refused);
        }

        // Counted after the write, so a count of N while the loop is busy means N messages are queued.
        var waiting = Interlocked.Increment(ref _waiting);
        _waitingChanged?.Invoke(waiting);
        return commit.Completion.Task;
    }

    /// <summary>Stops taking messages, finishes those already queued, and ends the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingCommit>(_maxBatchSize);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var commit))
            {
                Interlocked.Decrement(ref _waiting);
                batch.Add(commit);
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
                    Fail(commit, SpoolFailureReason.CommitFailed, ex);
                }
            }

            batch.Clear();
        }
    }

    private void CommitBatch(List<PendingCommit> batch)
    {
        _statistics.AddBatch();
        var moved = new List<PendingCommit>(batch.Count);
        foreach (var commit in batch)
        {
            try
            {
                // No overwrite: an id clash with an existing message must fail, never replace it.
                File.Move(commit.IncomingPath, commit.ActivePath, overwrite: false);
                moved.Add(commit);
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                SpoolLog.MoveFailed(_logger, commit.QueueId, ex);
                Fail(commit, SpoolFailureReason.CommitFailed, ex);
            }
        }

        if (moved.Count == 0)
        {
            return;
        }

        try
        {
            SyncActiveDirectory();
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            // The renames may or may not have reached the disk; the clients hear 451 and will retry, so
            // the files go. Removing them is itself unsure to be durable: at worst a refused message is
            // delivered as well as its retry, which is better than losing an acknowledged one.
            SpoolLog.DirectorySyncFailed(_logger, moved.Count, ex);
            foreach (var commit in moved)
            {
                SpoolFiles.TryDelete(commit.ActivePath, _logger);
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

        foreach (var commit in moved)
        {
            _statistics.AddCommitted(commit.ContentLength);
            commit.Completion.TrySetResult();
        }

        if (_committed is not null)
        {
            // After every session of the batch has its answer: the notification never delays a 250.
            foreach (var commit in moved)
            {
                _committed(commit.QueueId);
            }
        }

        SpoolLog.BatchCommitted(_logger, moved.Count);
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
