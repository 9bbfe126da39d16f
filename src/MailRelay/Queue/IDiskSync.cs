using Microsoft.Win32.SafeHandles;

namespace MailRelay.Queue;

/// <summary>
/// Every file operation of the spool's write path: creating and opening files for writing, writes,
/// truncation, file and directory fsyncs, renames and unlinks. Production uses <see cref="PosixDiskSync"/>,
/// whose operations are the plain runtime calls, so the seam adds no system call. Tests substitute an
/// implementation that counts, gates or fails the calls, or records them to rebuild what a crash at any
/// point would leave on disk (docs/durability.md).
/// </summary>
/// <remarks>
/// The operations beyond the two flushes have bodies here, the plain calls, so an implementation that only
/// observes fsyncs need not repeat them.
/// </remarks>
internal interface IDiskSync
{
    /// <summary>fsync of an open file: its data and inode reach the device.</summary>
    void SyncFile(SafeFileHandle file);

    /// <summary>fsync of a directory: the entries created, renamed or removed in it reach the device.</summary>
    void SyncDirectory(string path);

    /// <summary>fsync of a file opened through <see cref="Open"/>.</summary>
    void SyncFile(FileStream file) => SyncFile(file.SafeFileHandle);

    /// <summary>
    /// fdatasync of a file opened through <see cref="Open"/>: its data reach the device, and of its metadata only what
    /// reading them back needs. Into blocks already written (a zero-filled segment) that is no journal commit.
    /// </summary>
    void SyncData(FileStream file)
    {
        var handle = file.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Native.LibC.FDataSync((int)handle.DangerousGetHandle()) != 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new IOException(
                    $"fdatasync({file.Name}) failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>pwrite(2): writes at <paramref name="offset"/>, whatever the file's position.</summary>
    void WriteAt(FileStream file, ReadOnlySpan<byte> data, long offset) => RandomAccess.Write(file.SafeFileHandle, data, offset);

    /// <summary>Creates or opens a file for writing (the mode and sharing come with <paramref name="options"/>).</summary>
    FileStream Open(string path, FileStreamOptions options) => new(path, options);

    /// <summary>Writes at the file's position.</summary>
    void Write(FileStream file, ReadOnlySpan<byte> data) => file.Write(data);

    /// <summary>Writes at the file's position.</summary>
    ValueTask WriteAsync(FileStream file, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        file.WriteAsync(data, cancellationToken);

    /// <summary>Cuts the file to <paramref name="length"/> bytes.</summary>
    void Truncate(FileStream file, long length) => file.SetLength(length);

    /// <summary>rename(2) that never replaces an existing file.</summary>
    void Move(string source, string destination) => File.Move(source, destination, overwrite: false);

    /// <summary>unlink(2); a missing file is not an error.</summary>
    void Delete(string path) => File.Delete(path);
}
