using System.Runtime.InteropServices;

namespace MailRelay.Tests.Support;

/// <summary>
/// A directory laid out the way the kubelet mounts a Secret: each key is a symlink to <c>..data/key</c>, and
/// <c>..data</c> is a symlink to a timestamped directory. An update writes a new timestamped directory and renames a
/// new <c>..data</c> link over the old one, so readers see either every old file or every new one.
/// </summary>
internal sealed partial class MountedSecret
{
    private int _generation;

    public MountedSecret(string path, IReadOnlyDictionary<string, string> files)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Update(files);
        foreach (var key in files.Keys)
        {
            File.CreateSymbolicLink(System.IO.Path.Combine(path, key), System.IO.Path.Combine("..data", key));
        }
    }

    public string Path { get; }

    public string FileOf(string key) => System.IO.Path.Combine(Path, key);

    /// <summary>Writes a new generation of the files and switches <c>..data</c> to it in one rename.</summary>
    public void Update(IReadOnlyDictionary<string, string> files)
    {
        var generation = $"..generation_{++_generation}";
        var directory = System.IO.Path.Combine(Path, generation);
        Directory.CreateDirectory(directory);
        foreach (var (key, content) in files)
        {
            File.WriteAllText(System.IO.Path.Combine(directory, key), content);
        }

        var newLink = System.IO.Path.Combine(Path, "..data_tmp");
        File.CreateSymbolicLink(newLink, generation);
        // rename(2) replaces the old link atomically; File.Move would follow the link to its directory.
        if (Rename(newLink, System.IO.Path.Combine(Path, "..data")) != 0)
        {
            throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}
