using System.Threading.Channels;

namespace MailRelay.Queue;

/// <summary>
/// Removes finished messages (queue file, then state log) and makes the removals durable with one
/// directory fsync shared by every removal ready at that moment, as <see cref="GroupCommitter"/> does for
/// new mail. The fsync is needed: a message whose recipients were all delivered in one attempt has no
/// state log (its removal is the only record of the delivery), so a removal lost in a crash would bring
/// it back and send it again. A caller treats the message as gone only once its task completes.
/// </summary>
internal sealed class RemovalCommitter : IAsyncDisposable
{
    private readonly Channel<(string QueueId, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(string QueueId, TaskCompletionSource Done)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SpoolLayout _layout;
    private readonly IDiskSync _diskSync;
    private readonly int _maxBatchSize;
    private Task _loop = Task.CompletedTask;

    public RemovalCommitter(string dataDirectory, IDiskSync diskSync, int maxBatchSize = Spool.DefaultMaxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _layout = new SpoolLayout(dataDirectory);
        _diskSync = diskSync;
        _maxBatchSize = maxBatchSize;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>
    /// Queues a message's removal; the task completes once it is durable and faults with an
    /// <see cref="IOException"/> (or another I/O failure) when it is not known to be.
    /// </summary>
    public Task RemoveAsync(string queueId)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((queueId, done)))
        {
            done.SetException(new IOException("The queue is shutting down; the message was not removed."));
        }

        return done.Task;
    }

    /// <summary>Stops taking removals, finishes those already queued, and ends the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<(string QueueId, TaskCompletionSource Done)>(_maxBatchSize);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var removal))
            {
                batch.Add(removal);
            }

            RemoveBatch(batch);
            batch.Clear();
        }
    }

    private void RemoveBatch(List<(string QueueId, TaskCompletionSource Done)> batch)
    {
        var removed = new List<TaskCompletionSource>(batch.Count);
        foreach (var (queueId, done) in batch)
        {
            try
            {
                // The queue file first: once it is gone the message is gone, and a state log left
                // without it is removed at the next start.
                File.Delete(_layout.ActivePath(queueId));
                File.Delete(_layout.StatePath(queueId));
                removed.Add(done);
            }
#pragma warning disable CA1031 // Handed to the waiting caller, which decides; the loop must go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetException(ex);
            }
        }

        if (removed.Count == 0)
        {
            return;
        }

        try
        {
            _diskSync.SyncDirectory(_layout.ActiveDirectory);
        }
#pragma warning disable CA1031 // Handed to every waiting caller: none of these removals is known durable.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var done in removed)
            {
                done.TrySetException(ex);
            }

            return;
        }

        foreach (var done in removed)
        {
            done.TrySetResult();
        }
    }
}
