using MimeKit.IO;

namespace MailRelay.Queue;

/// <summary>
/// A queued message's bytes as a stream that ends where the message ends. A segment file holds other records after a
/// message's, so reading "to the end of the file" is never right for it; a queue file of its own ends with its
/// message, and the bound changes nothing there.
/// </summary>
internal static class QueueContent
{
    /// <summary>
    /// Opens <paramref name="entry"/>'s message (see <see cref="QueueEntry.OpenContent"/>, which finds it after a copy
    /// forward) bounded to its <see cref="QueueEntry.Size"/> bytes; disposing the stream closes the file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The message is no longer in the queue.</exception>
    public static Stream Open(QueueEntry entry, FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var file = entry.OpenContent(options);
        return Bound(file, entry.Size, leaveOpen: false);
    }

    /// <summary>The <paramref name="size"/> bytes of <paramref name="file"/> from its position.</summary>
    public static BoundStream Bound(FileStream file, long size, bool leaveOpen)
    {
        var start = file.Position;
        return new BoundStream(file, start, start + size, leaveOpen);
    }

    /// <summary>The options of a plain synchronous read that tolerates the queue changing its files meanwhile.</summary>
    public static FileStreamOptions ReadOptions(int bufferSize = 4096, FileOptions options = FileOptions.None) => new()
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.ReadWrite | FileShare.Delete,
        BufferSize = bufferSize,
        Options = options,
    };
}
