using System.Buffers;
using System.IO.Enumeration;

namespace MailRelay.Queue;

/// <summary>
/// Lists the committed messages by reading only their header lines. Safe to run beside a live daemon:
/// files that vanish between listing and opening (delivered, deleted) are skipped, files that appear
/// are seen or not, and a file it cannot interpret (corrupt, foreign, newer format) is reported, never
/// fatal.
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

    /// <summary>Reads every committed entry. A queue that was never created is simply empty.</summary>
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
    /// each file that cannot be read is passed to <paramref name="unreadable"/> instead.
    /// </summary>
    /// <param name="ordered">
    /// Oldest first (queue ids sort by arrival): every name is listed before the first file is read (see
    /// <see cref="ListOldestFirst"/>).
    /// </param>
    internal IEnumerable<QueueEntry> EnumerateCommitted(Action<UnreadableQueueFile> unreadable, bool ordered = false)
    {
        var paths = ordered ? ListOldestFirst().Paths() : EnumerateButStateLogs();
        foreach (var path in paths)
        {
            if (TryReadCommitted(path, unreadable) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The committed area's files other than state logs, to be taken oldest first. Listing every name cannot be
    /// avoided for that order (the directory gives them in hash order), but sorting them can: they are kept as a
    /// binary heap, built in linear time, so the oldest is known at once and the sorting is spread over the reads.
    /// </summary>
    internal OrderedQueueFiles ListOldestFirst()
    {
        try
        {
            return new OrderedQueueFiles(_layout.ActiveDirectory, ListButStateLogs(static (ref entry) => entry.FileName.ToString()));
        }
        catch (DirectoryNotFoundException)
        {
            return new OrderedQueueFiles(_layout.ActiveDirectory, []);
        }
    }

    /// <summary>
    /// The committed files' paths other than state logs, in no particular order: what a restart reads. State logs are
    /// read beside their message, so their names (half of a deferred queue's) are not even made into strings.
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
            ShouldIncludePredicate = static (ref entry) => !entry.FileName.EndsWith(SpoolLayout.StateExtension, StringComparison.Ordinal),
        };

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
