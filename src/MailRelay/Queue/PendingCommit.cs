namespace MailRelay.Queue;

/// <summary>A message whose file is written and fsync'd, waiting for the committer to move it into place.</summary>
internal sealed class PendingCommit
{
    public PendingCommit(string queueId, string incomingPath, string activePath, long contentLength)
    {
        QueueId = queueId;
        IncomingPath = incomingPath;
        ActivePath = activePath;
        ContentLength = contentLength;
    }

    public string QueueId { get; }

    public string IncomingPath { get; }

    public string ActivePath { get; }

    public long ContentLength { get; }

    /// <summary>Completes when the message is durable in the committed area, or faults with a <see cref="SpoolException"/>.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
