namespace MailRelay.Queue;

/// <summary>A message that has just become durable in the committed area.</summary>
public sealed class MessageCommittedEventArgs : EventArgs
{
    public MessageCommittedEventArgs(QueueEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entry = entry;
    }

    public string QueueId => Entry.QueueId;

    /// <summary>The message as its header describes it, known from writing it: nobody needs to read it back.</summary>
    public QueueEntry Entry { get; }
}
