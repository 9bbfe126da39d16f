namespace MailRelay.Queue.Segments;

/// <summary>How the spool's segment files are sized and when their long-lived messages move out.</summary>
internal sealed record SegmentOptions
{
    /// <summary>The largest record a segment takes: a message that fits the spool writer's buffer.</summary>
    public const int LargestRecord = SpoolMessageWriter.BufferSize;

    /// <summary>Bytes of each segment file, zero-filled when prepared.</summary>
    public long SegmentSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>How long a segment's messages may stay after it stopped taking new ones before they are copied forward.</summary>
    public TimeSpan RetireAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Beyond this many segments, the oldest ones' messages are copied forward whatever their age.</summary>
    public int MaxSegments { get; init; } = 8;
}
