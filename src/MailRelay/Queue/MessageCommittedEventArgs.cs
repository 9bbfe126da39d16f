namespace MailRelay.Queue;

/// <summary>A message that has just become durable in the committed area.</summary>
public sealed class MessageCommittedEventArgs : EventArgs
{
    public MessageCommittedEventArgs(string queueId)
    {
        QueueId = queueId;
    }

    public string QueueId { get; }
}
