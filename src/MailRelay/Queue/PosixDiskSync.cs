using System.Runtime.InteropServices;
using MailRelay.Native;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Queue;

/// <summary>
/// fsync through the runtime for files and through libc for directories; every other operation is the
/// plain runtime call that <see cref="IDiskSync"/> defines.
/// </summary>
internal sealed class PosixDiskSync : IDiskSync
{
    public void SyncFile(SafeFileHandle file) => RandomAccess.FlushToDisk(file);

    public void SyncDirectory(string path)
    {
        var descriptor = LibC.Open(path, LibC.OpenReadOnly);
        if (descriptor < 0)
        {
            throw ErrnoException("open", path, Marshal.GetLastPInvokeError());
        }

        // A failed fsync means the rename may not be durable; it must surface even if close succeeds.
        var syncResult = LibC.FSync(descriptor);
        var syncErrno = syncResult < 0 ? Marshal.GetLastPInvokeError() : 0;
        var closeResult = LibC.Close(descriptor);
        var closeErrno = closeResult < 0 ? Marshal.GetLastPInvokeError() : 0;

        if (syncResult < 0)
        {
            throw ErrnoException("fsync", path, syncErrno);
        }

        if (closeResult < 0)
        {
            throw ErrnoException("close", path, closeErrno);
        }
    }

    private static IOException ErrnoException(string call, string path, int errno) =>
        new($"{call}({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
}
