using System.Buffers;
using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using MailRelay.Queue.Segments;

namespace MailRelay.Queue;

/// <summary>
/// Lists the committed messages, in queue files and in segment files, by reading only their header lines. Safe to
/// run beside a live daemon: files that vanish between listing and opening (delivered, deleted) are skipped, files
/// that appear are seen or not, a segment retired meanwhile is read in the queue files it was copied into, and a file
/// or record it cannot interpret (corrupt, foreign, newer format) is reported, never fatal.
/// </summary>
public sealed class QueueReader
{
    /// <summary>The longest header accepted; far above 1000 recipients of 256 octets each.</summary>
    internal const int MaxHeaderLength = 4 * 1024 * 1024;

    /// <summary>The first read of a header: a whole small message, and more than most headers need.</summary>
    private const int FirstRead = 4 * 1024;

    private readonly SpoolLayout _layout;

    public QueueReader(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        _layout = new SpoolLayout(dataDirectory);
    }

    /// <summary>Reads every committed entry, in queue files and in segment files. A queue that was never created is simply empty.</summary>
    public QueueSnapshot ReadCommitted()
    {
        var unreadable = new List<UnreadableQueueFile>();
        var entries = EnumerateCommitted(unreadable.Add).ToList();
        entries.Sort((a, b) => string.CompareOrdinal(a.QueueId, b.QueueId));
        unreadable.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));
        return new QueueSnapshot(entries, unreadable);
    }

    /// <summary>
    /// Reads the committed entries one at a time, in no particular order, so a large queue is never all in memory;
    /// each file or segment record that cannot be read is passed to <paramref name="unreadable"/> instead. The segments
    /// are read first, then the queue files: a queue file whose id a segment gave is skipped (a copy forward that raced
    /// the listing), so each message comes once.
    /// </summary>
    /// <param name="ordered">
    /// Oldest first (queue ids sort by arrival), queue files and segment messages in one sequence: every name is listed
    /// before the first file is read (see <see cref="ListOldestFirst(Action{UnreadableQueueFile})"/>).
    /// </param>
    internal IEnumerable<QueueEntry> EnumerateCommitted(Action<UnreadableQueueFile> unreadable, bool ordered = false)
    {
        var segments = SegmentScan.Read(_layout, unreadable);
        using var segmentEntries = new SegmentEntryReader(_layout);
        if (ordered)
        {
            foreach (var (path, segment) in ListOldestFirst(segments).Items())
            {
                var entry = segment is { } location
                    ? TryReadSegmentEntry(_layout, segmentEntries, Path.GetFileNameWithoutExtension(path), location, unreadable)
                    : TryReadCommitted(path, unreadable);
                if (entry is not null)
                {
                    yield return entry;
                }
            }

            yield break;
        }

        foreach (var (queueId, location) in segments.Live)
        {
            if (TryReadSegmentEntry(_layout, segmentEntries, queueId, location, unreadable) is { } entry)
            {
                yield return entry;
            }
        }

        var live = segments.Live.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var path in EnumerateButStateLogs())
        {
            if (segments.Live.Count > 0 && live.ContainsKey(Path.GetFileNameWithoutExtension(path.AsSpan())))
            {
                continue;
            }

            if (TryReadCommitted(path, unreadable) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The committed area's files other than state logs, and the live segment messages, to be taken oldest first.
    /// Listing every name cannot be avoided for that order (the directory gives them in hash order), but sorting them
    /// can: they are kept as a binary heap, built in linear time, so the oldest is known at once and the sorting is
    /// spread over the reads.
    /// </summary>
    /// <param name="unreadable">Told of each segment record that checks but cannot be read.</param>
    internal OrderedQueueFiles ListOldestFirst(Action<UnreadableQueueFile>? unreadable = null) =>
        ListOldestFirst(SegmentScan.Read(_layout, unreadable));

    private OrderedQueueFiles ListOldestFirst(SegmentScan segments)
    {
        try
        {
            return new OrderedQueueFiles(_layout.ActiveDirectory, ListButStateLogs(NameOf), segments.Live);
        }
        catch (DirectoryNotFoundException)
        {
            return new OrderedQueueFiles(_layout.ActiveDirectory, [], segments.Live);
        }
    }

    /// <summary>
    /// The entry of a live segment message, or of the queue file it was copied forward into when its segment is gone
    /// meanwhile; null when it is gone altogether or cannot be read (passed to <paramref name="unreadable"/>).
    /// </summary>
    internal static QueueEntry? TryReadSegmentEntry(
        SpoolLayout layout, SegmentEntryReader segments, string queueId, SegmentLocation location, Action<UnreadableQueueFile> unreadable)
    {
        try
        {
            if (segments.Read(location) is { } entry)
            {
                return entry;
            }
        }
        catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
        {
            unreadable(new UnreadableQueueFile(
                $"{Path.GetFileName(layout.SegmentPath(location.Sequence))}@{location.BodyOffset}", ex.Message));
            return null;
        }

        return TryReadCommitted(layout.ActivePath(queueId), unreadable);
    }

    /// <summary>
    /// Reads the entry of one message by its id, from its queue file or its segment; null with a null
    /// <paramref name="problem"/> means there is no such message.
    /// </summary>
    internal static QueueEntry? TryReadAny(SpoolLayout layout, string queueId, out string? problem)
    {
        var file = TryRead(layout.ActivePath(queueId), out problem);
        if (file is not null || problem is not null)
        {
            return file;
        }

        if (SegmentScan.Read(layout).Live.TryGetValue(queueId, out var location))
        {
            string? found = null;
            using var segments = new SegmentEntryReader(layout);
            var entry = TryReadSegmentEntry(layout, segments, queueId, location, u => found = u.Problem);
            problem = found;
            return entry;
        }

        // Copied forward and its segment retired between the two looks.
        return TryRead(layout.ActivePath(queueId), out problem);
    }

    /// <summary>
    /// The committed files' paths other than state logs, in no particular order: what a restart reads. State logs are
    /// read beside their message, so their names (half of a deferred queue's) are not even made into strings. Queue
    /// files only: the daemon gets its segment messages from the segment log itself.
    /// </summary>
    internal IEnumerable<string> EnumerateButStateLogs()
    {
        try
        {
            return ListButStateLogs(static (ref entry) => entry.ToFullPath());
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <exception cref="DirectoryNotFoundException">The queue was never created.</exception>
    private FileSystemEnumerable<string> ListButStateLogs(FileSystemEnumerable<string>.FindTransform transform) =>
        new(_layout.ActiveDirectory, transform, new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = IsNotStateLog,
        };

    // Called once per directory entry (a million for a queue of 500,000 deferred messages) before the first line of
    // `queue list`: compiled optimized at once rather than first as instrumented quick code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsNotStateLog(ref FileSystemEntry entry) => !entry.FileName.EndsWith(SpoolLayout.StateExtension, StringComparison.Ordinal);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string NameOf(ref FileSystemEntry entry) => entry.FileName.ToString();

    /// <summary>
    /// Reads the entry of one path of <see cref="EnumerateButStateLogs"/>; null for a state log, a file gone meanwhile, or
    /// one that cannot be read (passed to <paramref name="unreadable"/>).
    /// </summary>
    internal static QueueEntry? TryReadCommitted(string path, Action<UnreadableQueueFile> unreadable)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(SpoolLayout.StateExtension, StringComparison.Ordinal))
        {
            // Delivery state beside a message, not a message of its own.
            return null;
        }

        if (!name.EndsWith(SpoolLayout.MessageExtension, StringComparison.Ordinal))
        {
            unreadable(new UnreadableQueueFile(name, "not a queue file"));
            return null;
        }

        var entry = TryRead(path, out var problem);
        if (entry is null && problem is not null)
        {
            unreadable(new UnreadableQueueFile(name, problem));
        }

        return entry;
    }

    /// <summary>
    /// Reads one queue file's header. Null with a null <paramref name="problem"/> means the file is gone.
    /// </summary>
    internal static QueueEntry? TryRead(string path, out string? problem)
    {
        problem = null;

        // Pooled: a restart reads every queue file's header, and a fresh buffer each would be most of what it allocates.
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
            if (ReadHeaderLine(file, ref buffer) is not { } length)
            {
                problem = "no header line";
                return null;
            }

            var header = SpoolHeaderCodec.Decode(buffer.AsMemory(0, length));
            var expectedName = header.QueueId + SpoolLayout.MessageExtension;
            if (!string.Equals(Path.GetFileName(path), expectedName, StringComparison.Ordinal))
            {
                problem = $"header names queue id {header.QueueId}, not the file's";
                return null;
            }

            var contentOffset = length + 1L;
            return QueueEntry.Of(header, path, contentOffset, file.Length - contentOffset);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (QueueFormatException ex)
        {
            problem = ex.Message;
            return null;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            problem = $"cannot read: {ex.Message}";
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The length of the bytes before the first LF, read into <paramref name="buffer"/> (a pooled array, swapped for a
    /// larger pooled one while no LF has come), or null when there is no LF within the limit.
    /// </summary>
    private static int? ReadHeaderLine(FileStream file, ref byte[] buffer)
    {
        var filled = 0;
        while (filled < MaxHeaderLength)
        {
            if (filled == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, filled).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            var read = file.Read(buffer.AsSpan(filled));
            if (read == 0)
            {
                return null;
            }

            var newline = buffer.AsSpan(filled, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return filled + newline;
            }

            filled += read;
        }

        return null;
    }
}
