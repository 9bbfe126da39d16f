using System.Runtime.InteropServices;

namespace MailRelay.Tests.Authentication;

/// <summary>
/// rename(2), as the kubelet uses it to swap a Secret's <c>..data</c> link: .NET's File.Move follows a link to a
/// directory and refuses it, so the swap is made with the system call itself.
/// </summary>
internal static partial class AtomicRename
{
    public static void Rename(string source, string destination)
    {
        if (RenameNative(source, destination) != 0)
        {
            throw new IOException($"rename {source} -> {destination} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string source, string destination);
}
