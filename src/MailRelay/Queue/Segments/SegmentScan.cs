using System.Buffers;
using System.Text;

namespace MailRelay.Queue.Segments;

/// <summary>
/// What the segment files hold, read in sequence order: every valid message record is a message unless a later
/// removal record names it, or a queue file of the same id exists (the message was copied forward into one). Each
/// segment is read up to its first record that does not check (a torn or never-written tail); nothing after it was
/// ever acknowledged. Reading needs no lock: a segment that disappears meanwhile was retired, its messages copied
/// into queue files first.
/// </summary>
internal sealed class SegmentScan
{
    private readonly Dictionary<long, int> _liveCounts = [];

    private SegmentScan(SpoolLayout layout) => Layout = layout;

    public SpoolLayout Layout { get; }

    /// <summary>The segments found, oldest first.</summary>
    public List<long> Sequences { get; } = [];

    /// <summary>The live messages and where their bodies are.</summary>
    public Dictionary<string, SegmentLocation> Live { get; } = new(StringComparer.Ordinal);

    /// <summary>Segments holding a record that checks but whose queue id cannot be read: kept for the operator, never removed.</summary>
    public HashSet<long> Pinned { get; } = [];

    /// <summary>
    /// Messages whose record is in a segment but that were copied forward into a queue file (which wins), with the
    /// segment: removing such a message needs a removal record as long as its segment exists.
    /// </summary>
    public Dictionary<string, long> Copied { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Every queue id a removal record names. A queue file of such an id is what is left of a copied-forward message
    /// whose removal record was durable before its file was unlinked: it is gone, not queued.
    /// </summary>
    public HashSet<string> Removed { get; } = new(StringComparer.Ordinal);

    /// <summary>Messages in <paramref name="sequence"/> that are live.</summary>
    public int LiveIn(long sequence) => _liveCounts.GetValueOrDefault(sequence);

    /// <summary>Reads every segment under <paramref name="layout"/>; a queue that has none (or no segments directory) is empty.</summary>
    /// <param name="unreadable">Told of each record that checks but whose envelope cannot be read.</param>
    /// <param name="skip">Segments not to read (those a running log writes itself and already knows).</param>
    public static SegmentScan Read(SpoolLayout layout, Action<UnreadableQueueFile>? unreadable = null, Func<long, bool>? skip = null)
    {
        var scan = new SegmentScan(layout);
        List<long> sequences;
        try
        {
            sequences = [.. Directory.EnumerateFiles(layout.SegmentsDirectory, "*" + SpoolLayout.SegmentExtension)
                .Select(SpoolLayout.SegmentSequence).OfType<long>().Where(s => skip?.Invoke(s) != true)];
        }
        catch (DirectoryNotFoundException)
        {
            return scan;
        }

        sequences.Sort();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            foreach (var sequence in sequences)
            {
                if (scan.ReadSegment(sequence, ref buffer, unreadable))
                {
                    scan.Sequences.Add(sequence);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // A message copied forward is in its queue file; the segment's copy waits only for the segment to go.
        foreach (var queueId in scan.Live.Keys.Where(id => File.Exists(layout.ActivePath(id))).ToList())
        {
            scan.Copied[queueId] = scan.Live[queueId].Sequence;
            scan.Drop(queueId);
        }

        return scan;
    }

    /// <summary>The entry of a live message, its header read from the segment; null when the segment is gone.</summary>
    /// <exception cref="QueueFormatException">The record no longer reads as a message.</exception>
    public static QueueEntry? ReadEntry(SpoolLayout layout, SegmentLocation location)
    {
        var path = layout.SegmentPath(location.Sequence);
        var buffer = ArrayPool<byte>.Shared.Rent(location.BodyLength);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var body = buffer.AsSpan(0, location.BodyLength);
            if (RandomAccess.Read(handle, body, location.BodyOffset) != body.Length)
            {
                throw new QueueFormatException($"segment {Path.GetFileName(path)} ends inside a record");
            }

            return EntryOf(layout, location, buffer.AsMemory(0, location.BodyLength));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The entry of a message record whose body is <paramref name="body"/>.</summary>
    /// <exception cref="QueueFormatException">The body does not start with an envelope header line.</exception>
    public static QueueEntry EntryOf(SpoolLayout layout, SegmentLocation location, ReadOnlyMemory<byte> body)
    {
        var newline = body.Span.IndexOf((byte)'\n');
        if (newline < 0)
        {
            throw new QueueFormatException("a message record without a header line");
        }

        var header = SpoolHeaderCodec.Decode(body[..newline]);
        var contentStart = newline + 1L;
        return QueueEntry.Of(header, layout.SegmentPath(location.Sequence), location.BodyOffset + contentStart, body.Length - contentStart, location);
    }

    /// <summary>Reads one segment's records; false when it is gone.</summary>
    private bool ReadSegment(long sequence, ref byte[] buffer, Action<UnreadableQueueFile>? unreadable)
    {
        var path = Layout.SegmentPath(sequence);
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 256 * 1024,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        using (file)
        {
            Span<byte> header = stackalloc byte[SegmentRecord.HeaderLength];
            long offset = 0;
            while (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length
                   && SegmentRecord.BodyLength(header) is { } length)
            {
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                var body = buffer.AsMemory(0, length);
                if (file.ReadAtLeast(body.Span, length, throwOnEndOfStream: false) != length || !SegmentRecord.Verifies(header, body.Span))
                {
                    break;
                }

                var location = new SegmentLocation(sequence, offset + SegmentRecord.HeaderLength, length);
                if (SegmentRecord.TypeOf(header) == SegmentRecordType.Message)
                {
                    AddMessage(location, body, unreadable);
                }
                else
                {
                    foreach (var queueId in RemovedIds(body.Span))
                    {
                        Drop(queueId);
                        Removed.Add(queueId);
                    }
                }

                offset += SegmentRecord.HeaderLength + length;
            }
        }

        return true;
    }

    private void AddMessage(SegmentLocation location, ReadOnlyMemory<byte> body, Action<UnreadableQueueFile>? unreadable)
    {
        // The id alone, from the header line's fixed start: the envelope is read where it is needed (recovery, a
        // listing), and a record whose envelope does not read is reported there, by its id, like a queue file.
        var line = body.Span;
        if (line.IndexOf((byte)'\n') is var newline and >= 0)
        {
            line = line[..newline];
        }

        string queueId;
        try
        {
            queueId = SpoolHeaderCodec.TryReadQueueId(line, out var id) ? id : EntryOf(Layout, location, body).QueueId;
        }
        catch (QueueFormatException ex)
        {
            Pinned.Add(location.Sequence);
            unreadable?.Invoke(new UnreadableQueueFile(
                $"{Path.GetFileName(Layout.SegmentPath(location.Sequence))}@{location.BodyOffset}", ex.Message));
            return;
        }

        if (Live.TryAdd(queueId, location))
        {
            _liveCounts[location.Sequence] = LiveIn(location.Sequence) + 1;
        }
    }

    private void Drop(string queueId)
    {
        if (Live.Remove(queueId, out var location))
        {
            _liveCounts[location.Sequence] = LiveIn(location.Sequence) - 1;
        }
    }

    /// <summary>The queue ids of a removal record's body.</summary>
    public static List<string> RemovedIds(ReadOnlySpan<byte> body)
    {
        var ids = new List<string>();
        foreach (var range in body.Split((byte)'\n'))
        {
            if (range.End.GetOffset(body.Length) > range.Start.GetOffset(body.Length))
            {
                ids.Add(Encoding.ASCII.GetString(body[range]));
            }
        }

        return ids;
    }
}
