namespace MailRelay.Queue;

/// <summary>A message whose file is written and fsync'd, waiting for the committer to move it into place.</summary>
internal sealed class PendingCommit
{
    public PendingCommit(QueueEntry entry, string incomingPath)
    {
        Entry = entry;
        IncomingPath = incomingPath;
    }

    /// <summary>The message as it will be listed once committed.</summary>
    public QueueEntry Entry { get; }

    public string QueueId => Entry.QueueId;

    public string IncomingPath { get; }

    public string ActivePath => Entry.FilePath;

    public long ContentLength => Entry.Size;

    /// <summary>Completes when the message is durable in the committed area, or faults with a <see cref="SpoolException"/>.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
