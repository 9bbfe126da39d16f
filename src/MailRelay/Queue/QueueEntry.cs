namespace MailRelay.Queue;

/// <summary>A committed message as its header describes it; the body is not read.</summary>
public sealed class QueueEntry
{
    public required string QueueId { get; init; }

    public required DateTimeOffset ArrivalTime { get; init; }

    /// <summary>The message size in bytes (the file minus its envelope header).</summary>
    public required long Size { get; init; }

    public required SpoolEnvelope Envelope { get; init; }

    /// <summary>The format version of the file.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>The queue file's full path.</summary>
    public required string FilePath { get; init; }

    /// <summary>Where the message bytes start in the file: delivery streams from here.</summary>
    public required long ContentOffset { get; init; }

    /// <summary>The entry of the queue file at <paramref name="filePath"/> whose header line is <paramref name="header"/>.</summary>
    /// <param name="contentOffset">The header line's length including its LF.</param>
    /// <param name="size">The message bytes after the header line.</param>
    internal static QueueEntry Of(SpoolHeader header, string filePath, long contentOffset, long size) => new()
    {
        QueueId = header.QueueId,
        ArrivalTime = header.ArrivalTime,
        Size = size,
        Envelope = header.Envelope,
        FormatVersion = header.Version,
        FilePath = filePath,
        ContentOffset = contentOffset,
    };
}
