using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Queue.Segments;

/// <summary>
/// Reads the entries of live segment messages from their header lines only, as <see cref="QueueReader"/> does for queue
/// files: a listing of a large queue reads a few KiB per message, not each record again (the scan that found them has
/// checked every record whole). The last segment read stays open, since a listing takes messages about in segment order.
/// </summary>
internal sealed class SegmentEntryReader : IDisposable
{
    /// <summary>The first read of a header: more than most headers need.</summary>
    private const int FirstRead = 4 * 1024;

    private readonly SpoolLayout _layout;
    private long _sequence = -1;
    private SafeFileHandle? _segment;

    public SegmentEntryReader(SpoolLayout layout) => _layout = layout;

    /// <summary>The entry of the message at <paramref name="location"/>; null when its segment is gone (retired).</summary>
    /// <exception cref="QueueFormatException">The record does not read as a message.</exception>
    /// <exception cref="IOException">The segment cannot be read.</exception>
    public QueueEntry? Read(SegmentLocation location)
    {
        if (Open(location.Sequence) is not { } segment)
        {
            return null;
        }

        var path = _layout.SegmentPath(location.Sequence);
        var length = Math.Min(FirstRead, location.BodyLength);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            while (true)
            {
                var read = buffer.AsSpan(0, length);
                if (RandomAccess.Read(segment, read, location.BodyOffset) != length)
                {
                    throw new QueueFormatException($"segment {Path.GetFileName(path)} ends inside a record");
                }

                var newline = read.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var header = SpoolHeaderCodec.Decode(buffer.AsMemory(0, newline));
                    var contentStart = newline + 1L;
                    return QueueEntry.Of(header, path, location.BodyOffset + contentStart, location.BodyLength - contentStart, location);
                }

                if (length == location.BodyLength)
                {
                    throw new QueueFormatException("a message record without a header line");
                }

                length = Math.Min(length * 2, location.BodyLength);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private SafeFileHandle? Open(long sequence)
    {
        if (sequence == _sequence)
        {
            return _segment;
        }

        _segment?.Dispose();
        _segment = null;
        _sequence = sequence;
        try
        {
            // An open segment stays readable when it is retired meanwhile: its records do not change.
            _segment = File.OpenHandle(_layout.SegmentPath(sequence), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Retired: a segment's sequence is never used again.
        }

        return _segment;
    }

    public void Dispose()
    {
        _segment?.Dispose();
        _segment = null;
    }
}
