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

    private const int ReadChunk = 16 * 1024;

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
        var paths = ordered ? ListOldestFirst().Paths() : EnumerateFiles();
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
            var names = new FileSystemEnumerable<string>(
                _layout.ActiveDirectory,
                static (ref entry) => entry.FileName.ToString(),
                new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 })
            {
                // State logs are skipped when read anyway: leaving them out halves the heap, and their names are never made.
                ShouldIncludePredicate = static (ref entry) => !entry.FileName.EndsWith(SpoolLayout.StateExtension, StringComparison.Ordinal),
            };
            return new OrderedQueueFiles(_layout.ActiveDirectory, names);
        }
        catch (DirectoryNotFoundException)
        {
            return new OrderedQueueFiles(_layout.ActiveDirectory, []);
        }
    }

    /// <summary>The committed files' paths, queue files and state logs alike, in no particular order.</summary>
    internal IEnumerable<string> EnumerateFiles()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(_layout.ActiveDirectory);
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// Reads the entry of one path of <see cref="EnumerateFiles"/>; null for a state log, a file gone meanwhile, or
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
        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
            var headerLine = ReadHeaderLine(file);
            if (headerLine is null)
            {
                problem = "no header line";
                return null;
            }

            var header = SpoolHeaderCodec.Decode(headerLine.Value);
            var expectedName = header.QueueId + SpoolLayout.MessageExtension;
            if (!string.Equals(Path.GetFileName(path), expectedName, StringComparison.Ordinal))
            {
                problem = $"header names queue id {header.QueueId}, not the file's";
                return null;
            }

            var contentOffset = headerLine.Value.Length + 1L;
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
    }

    /// <summary>The bytes before the first LF, or null when there is no LF within the limit.</summary>
    private static ReadOnlyMemory<byte>? ReadHeaderLine(FileStream file)
    {
        var line = new ArrayBufferWriter<byte>(ReadChunk);
        while (line.WrittenCount < MaxHeaderLength)
        {
            var chunk = line.GetSpan(ReadChunk)[..ReadChunk];
            var read = file.Read(chunk);
            if (read == 0)
            {
                return null;
            }

            var newline = chunk[..read].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line.Advance(newline);
                return line.WrittenMemory;
            }

            line.Advance(read);
        }

        return null;
    }
}
