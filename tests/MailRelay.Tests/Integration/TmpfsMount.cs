using MailRelay.Tests.Support;

namespace MailRelay.Tests.Integration;

/// <summary>A tiny tmpfs, for real ENOSPC. Mounting needs root, as CI runs; without it the test fails saying so.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private const string Why = "this test needs root to mount a tmpfs";

    public TmpfsMount(string path, string size)
    {
        Path = path;
        Directory.CreateDirectory(path);
        RootCommand.Run(Why, "mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path);
    }

    public string Path { get; }

    public void Dispose() => RootCommand.Run(Why, "umount", Path);
}
