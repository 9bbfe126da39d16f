namespace MailRelay.Queue;

/// <summary>Running counters of one <see cref="Spool"/>, for metrics. Reads are atomic; values only grow.</summary>
public sealed class SpoolStatistics
{
    private long _committedMessages;
    private long _committedBytes;
    private long _failedMessages;
    private long _commitBatches;
    private long _directorySyncs;

    /// <summary>Messages made durable and acknowledged to their writers.</summary>
    public long CommittedMessages => Interlocked.Read(ref _committedMessages);

    /// <summary>Message content bytes (excluding the envelope header) of committed messages.</summary>
    public long CommittedBytes => Interlocked.Read(ref _committedBytes);

    /// <summary>Messages that ended in a <see cref="SpoolException"/> during writing or commit.</summary>
    public long FailedMessages => Interlocked.Read(ref _failedMessages);

    /// <summary>Batches the group committer processed; committed messages / batches = the batching factor.</summary>
    public long CommitBatches => Interlocked.Read(ref _commitBatches);

    /// <summary>fsync calls on the committed directory (one per batch, plus retries after failures).</summary>
    public long DirectorySyncs => Interlocked.Read(ref _directorySyncs);

    internal void AddCommitted(long bytes)
    {
        Interlocked.Increment(ref _committedMessages);
        Interlocked.Add(ref _committedBytes, bytes);
    }

    internal void AddFailed() => Interlocked.Increment(ref _failedMessages);

    internal void AddBatch() => Interlocked.Increment(ref _commitBatches);

    internal void AddDirectorySync() => Interlocked.Increment(ref _directorySyncs);
}
