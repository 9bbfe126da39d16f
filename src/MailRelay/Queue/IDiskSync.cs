using Microsoft.Win32.SafeHandles;

namespace MailRelay.Queue;

/// <summary>
/// The two flushes the spool's durability rests on. Production uses <see cref="PosixDiskSync"/>; tests
/// substitute an implementation that counts, gates or fails the calls.
/// </summary>
internal interface IDiskSync
{
    /// <summary>fsync of an open file: its data and inode reach the device.</summary>
    void SyncFile(SafeFileHandle file);

    /// <summary>fsync of a directory: the entries created, renamed or removed in it reach the device.</summary>
    void SyncDirectory(string path);
}
