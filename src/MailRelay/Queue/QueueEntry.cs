using MailRelay.Queue.Segments;

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

    /// <summary>
    /// Where the message's record lies when <see cref="FilePath"/> is a segment file; null for a queue file of its own.
    /// A segment message may be copied forward into <c>active/&lt;id&gt;.msg</c> and its segment removed while this
    /// entry is held: <see cref="OpenContent"/> then reads the copy.
    /// </summary>
    internal SegmentLocation? Segment { get; init; }

    /// <summary>
    /// Opens the message for reading, positioned at its first content byte, wherever it is now (its segment, or the
    /// queue file it was copied forward into). Read at most <see cref="Size"/> bytes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The message is no longer in the queue.</exception>
    internal FileStream OpenContent(FileStreamOptions options)
    {
        FileStream file;
        long offset;
        try
        {
            file = new FileStream(FilePath, options);
            offset = ContentOffset;
        }
        catch (Exception ex) when (Segment is { } location && ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Copied forward: the queue file holds the record's body byte for byte.
            var segments = Path.GetDirectoryName(FilePath)!;
            var copy = Path.Combine(Path.GetDirectoryName(segments)!, "active", QueueId + SpoolLayout.MessageExtension);
            file = new FileStream(copy, options);
            offset = ContentOffset - location.BodyOffset;
        }

        try
        {
            file.Position = offset;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The entry of the queue file at <paramref name="filePath"/> whose header line is <paramref name="header"/>.</summary>
    /// <param name="contentOffset">The header line's length including its LF.</param>
    /// <param name="size">The message bytes after the header line.</param>
    internal static QueueEntry Of(SpoolHeader header, string filePath, long contentOffset, long size, SegmentLocation? segment = null) => new()
    {
        QueueId = header.QueueId,
        ArrivalTime = header.ArrivalTime,
        Size = size,
        Envelope = header.Envelope,
        FormatVersion = header.Version,
        FilePath = filePath,
        ContentOffset = contentOffset,
        Segment = segment,
    };
}
