using MailRelay.Queue.Segments;

namespace MailRelay.Queue;

/// <summary>
/// Removes finished messages (queue file, then state log) and makes the removals durable with directory
/// fsyncs shared by every removal waiting at that moment, as <see cref="GroupCommitter"/> does for new mail.
/// The fsync is needed: a message whose recipients were all delivered in one attempt has no state log (its
/// removal is the only record of the delivery), so a removal lost in a crash would bring it back and send it
/// again. A caller treats the message as gone only once its task completes. A message kept in a segment file is removed
/// with a removal record there instead (<see cref="SegmentLog.TryRemove"/>), its state log deleted once that is durable.
/// </summary>
/// <remarks>
/// The unlinks are done by the caller, at once and side by side with other callers; only the fsync is
/// shared. A removal's task completes when an fsync that began after its unlinks has finished: one fsync
/// runs at a time, and each covers every removal that was waiting when it started. A removal therefore waits
/// at most for the fsync in progress and then its own, not for a queue of other messages' unlinks.
/// </remarks>
internal sealed class RemovalCommitter : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly SpoolLayout _layout;
    private readonly IDiskSync _diskSync;
    private readonly SegmentLog? _segments;
    private TaskCompletionSource? _nextSync;
    private Task _syncing = Task.CompletedTask;
    private bool _syncRunning;
    private bool _started;
    private bool _closed;

    public RemovalCommitter(string dataDirectory, IDiskSync diskSync, SegmentLog? segments = null)
    {
        _segments = segments;
        _layout = new SpoolLayout(dataDirectory);
        _diskSync = diskSync;
    }

    /// <summary>The segment log whose messages this committer removes with removal records; null without segments.</summary>
    public SegmentLog? Segments => _segments;

    /// <summary>Opens the committer for removals.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _started = true;
        }
    }

    /// <summary>
    /// Removes a message's files now and returns a task that completes once the removal is durable; it
    /// faults with an <see cref="IOException"/> (or another I/O failure) when it is not known to be, and
    /// without touching the files when the committer is not running.
    /// </summary>
    /// <param name="withStateLog">False when the caller knows no state log was ever written for the message.</param>
    public Task RemoveAsync(string queueId, bool withStateLog = true)
    {
        lock (_lock)
        {
            if (!_started || _closed)
            {
                return Task.FromException(new IOException("The queue is shutting down; the message was not removed."));
            }
        }

        if (_segments?.TryRemove(queueId, () => RemoveFileAsync(queueId, withStateLog)) is { } segmentRemoval)
        {
            return withStateLog ? RemoveStateLogAfterAsync(segmentRemoval, queueId) : segmentRemoval;
        }

        return RemoveFileAsync(queueId, withStateLog);
    }

    /// <summary>The state log goes only once the removal record is durable: before, a crash would bring the message back without it.</summary>
    private async Task RemoveStateLogAfterAsync(Task segmentRemoval, string queueId)
    {
        await segmentRemoval.ConfigureAwait(false);

        try
        {
            _diskSync.Delete(_layout.StatePath(queueId));
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            // The message is gone for good; a state log left behind is removed at the next start as an orphan.
        }
    }

    private Task RemoveFileAsync(string queueId, bool withStateLog)
    {

        try
        {
            // The queue file first: once it is gone the message is gone, and a state log left without it is
            // removed at the next start.
            _diskSync.Delete(_layout.ActivePath(queueId));
            if (withStateLog)
            {
                _diskSync.Delete(_layout.StatePath(queueId));
            }
        }
#pragma warning disable CA1031 // Handed to the caller, which decides, as every other outcome of a removal.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException(ex);
        }

        return NextSyncAsync();
    }

    /// <summary>Stops taking removals and waits for the fsyncs owed to those already made.</summary>
    public async ValueTask DisposeAsync()
    {
        Task syncing;
        lock (_lock)
        {
            _closed = true;
            syncing = _syncing;
        }

        await syncing.ConfigureAwait(false);
    }

    /// <summary>A task for the first directory fsync that begins after this call.</summary>
    private Task NextSyncAsync()
    {
        lock (_lock)
        {
            if (_nextSync is null)
            {
                _nextSync = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_syncRunning)
                {
                    _syncRunning = true;
                    _syncing = Task.Run(SyncWhileWaitedFor);
                }
            }

            return _nextSync.Task;
        }
    }

    /// <summary>Runs fsyncs back to back for as long as removals wait for one, then ends.</summary>
    private void SyncWhileWaitedFor()
    {
        while (true)
        {
            TaskCompletionSource waiting;
            lock (_lock)
            {
                if (_nextSync is null)
                {
                    _syncRunning = false;
                    return;
                }

                waiting = _nextSync;
                _nextSync = null;
            }

            try
            {
                _diskSync.SyncDirectory(_layout.ActiveDirectory);
            }
#pragma warning disable CA1031 // Handed to every waiting caller: none of these removals is known durable.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                waiting.TrySetException(ex);
                continue;
            }

            waiting.TrySetResult();
        }
    }
}
