namespace MailRelay.Queue;

/// <summary>What one pass over the committed area found.</summary>
public sealed class QueueSnapshot
{
    public QueueSnapshot(IReadOnlyList<QueueEntry> entries, IReadOnlyList<UnreadableQueueFile> unreadable)
    {
        Entries = entries;
        Unreadable = unreadable;
    }

    /// <summary>Readable entries, oldest first (queue ids sort by arrival).</summary>
    public IReadOnlyList<QueueEntry> Entries { get; }

    /// <summary>Files that are corrupt, foreign or of an unknown format version, by name.</summary>
    public IReadOnlyList<UnreadableQueueFile> Unreadable { get; }
}
