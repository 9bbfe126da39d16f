using System.Buffers.Binary;
using System.Numerics;

namespace MailRelay.Queue.Segments;

/// <summary>What a record of a segment file holds (docs/queue-format.md, "Segment files").</summary>
internal enum SegmentRecordType : byte
{
    /// <summary>A committed message: exactly the bytes a queue file would hold (envelope header line, LF, message).</summary>
    Message = 1,

    /// <summary>Messages that are gone (delivered, failed or deleted): their queue ids, each ended by LF.</summary>
    Removal = 2,
}

/// <summary>
/// The 16-byte header before every record's body, little-endian: magic <c>MRSG</c>, type, format version, two zero
/// bytes, the body's length, and a CRC-32C over type, version, reserved bytes, length and body. A record is valid
/// only if all of it checks; the first one that does not ends the segment for a reader (a torn or never-written tail
/// reads as zeros or as a checksum mismatch).
/// </summary>
internal static class SegmentRecord
{
    public const int HeaderLength = 16;

    public const byte CurrentVersion = 1;

    /// <summary>The largest body a writer appends (a message that fits the spool writer's buffer, or a removal batch).</summary>
    public const int MaxBodyLength = 1024 * 1024;

    /// <summary>"MRSG" read as a little-endian 32-bit number.</summary>
    private const uint Magic = 0x4753524D;

    /// <summary>Fills <paramref name="header"/> for a body already in place after it.</summary>
    public static void WriteHeader(Span<byte> header, SegmentRecordType type, ReadOnlySpan<byte> body)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = (byte)type;
        header[5] = CurrentVersion;
        header[6] = 0;
        header[7] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Checksum(header[4..12], body));
    }

    /// <summary>
    /// The body length of the record whose header is <paramref name="header"/>, or null when it is no record header
    /// (zeros, torn, a version this reader does not know, an impossible length).
    /// </summary>
    public static int? BodyLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength
            || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic
            || header[5] != CurrentVersion
            || header[4] is not ((byte)SegmentRecordType.Message or (byte)SegmentRecordType.Removal))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        return length <= MaxBodyLength ? (int)length : null;
    }

    /// <summary>Whether the checksum in <paramref name="header"/> covers <paramref name="body"/>.</summary>
    public static bool Verifies(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) == Checksum(header[4..12], body);

    public static SegmentRecordType TypeOf(ReadOnlySpan<byte> header) => (SegmentRecordType)header[4];

    private static uint Checksum(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> body) => ~Crc32C(Crc32C(uint.MaxValue, fields), body);

    private static uint Crc32C(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var value in data)
        {
            crc = BitOperations.Crc32C(crc, value);
        }

        return crc;
    }
}
