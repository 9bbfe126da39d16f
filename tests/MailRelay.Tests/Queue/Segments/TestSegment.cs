using MailRelay.Queue;
using MailRelay.Queue.Segments;

namespace MailRelay.Tests.Queue.Segments;

/// <summary>
/// Writes a segment file by hand, as the segment log lays it out: records (header, body) one after another, then a
/// zero-filled tail. Message bodies are exactly a queue file's bytes (envelope header line, LF, message).
/// </summary>
internal sealed class TestSegment
{
    private readonly List<byte> _records = [];
    private readonly SpoolLayout _layout;

    public TestSegment(string dataDirectory, long sequence = 1)
    {
        _layout = new SpoolLayout(dataDirectory);
        Sequence = sequence;
    }

    public long Sequence { get; }

    public string Path => _layout.SegmentPath(Sequence);

    /// <summary>The body of each message record, by queue id: what its queue file must hold byte for byte.</summary>
    public Dictionary<string, byte[]> Bodies { get; } = new(StringComparer.Ordinal);

    /// <summary>A queue id for a message that arrived at <paramref name="arrival"/> (ids sort by arrival).</summary>
    public static string IdAt(DateTimeOffset arrival, int seed = 1) => new QueueIdGenerator(new Random(seed)).Next(arrival);

    /// <summary>Exactly what a queue file of the message holds: the header line (the codec ends it with its LF), the message.</summary>
    public static byte[] Body(string queueId, DateTimeOffset arrival, SpoolEnvelope envelope, byte[] content) =>
        [.. SpoolHeaderCodec.Encode(new SpoolHeader(SpoolHeaderCodec.CurrentVersion, queueId, arrival, envelope)), .. content];

    public TestSegment Message(string queueId, DateTimeOffset arrival, SpoolEnvelope envelope, byte[] content)
    {
        var body = Body(queueId, arrival, envelope, content);
        Bodies[queueId] = body;
        return Record(SegmentRecordType.Message, body);
    }

    public TestSegment Removal(params string[] queueIds) =>
        Record(SegmentRecordType.Removal, [.. queueIds.SelectMany(id => System.Text.Encoding.ASCII.GetBytes(id + "\n"))]);

    /// <summary>A record whose body is <paramref name="body"/> as given (a header line that does not read, say).</summary>
    public TestSegment Record(SegmentRecordType type, byte[] body)
    {
        var header = new byte[SegmentRecord.HeaderLength];
        SegmentRecord.WriteHeader(header, type, body);
        _records.AddRange(header);
        _records.AddRange(body);
        return this;
    }

    /// <summary>Bytes appended as they are: a torn record, a damaged one.</summary>
    public TestSegment Raw(byte[] bytes)
    {
        _records.AddRange(bytes);
        return this;
    }

    /// <summary>The records written so far, as the next record's header would start at.</summary>
    public long Length => _records.Count;

    /// <summary>Writes the file: the records, then <paramref name="zeroTail"/> zero bytes (the preallocated rest).</summary>
    public string Write(int zeroTail = 4096)
    {
        Directory.CreateDirectory(_layout.SegmentsDirectory);
        File.WriteAllBytes(Path, [.. _records, .. new byte[zeroTail]]);
        return Path;
    }
}
