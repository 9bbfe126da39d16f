using System.Runtime.InteropServices;

namespace MailRelay.Native;

/// <summary>
/// The few libc calls .NET does not offer: it cannot open a directory, so a directory cannot be fsync'd
/// through <see cref="System.IO.FileStream"/> or <see cref="System.IO.RandomAccess"/>.
/// </summary>
internal static partial class LibC
{
    /// <summary>O_RDONLY. Zero on every Linux architecture, and enough to open a directory for fsync.</summary>
    public const int OpenReadOnly = 0;

    /// <summary>Opens <paramref name="path"/>; returns a descriptor, or -1 with errno set.</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    /// <summary>Flushes the descriptor's data and metadata to the device; 0 on success, -1 with errno set.</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fileDescriptor);

    /// <summary>Flushes the descriptor's data (and only the metadata needed to read it back) to the device.</summary>
    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int FDataSync(int fileDescriptor);

    /// <summary>Closes the descriptor; 0 on success, -1 with errno set.</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fileDescriptor);
}
