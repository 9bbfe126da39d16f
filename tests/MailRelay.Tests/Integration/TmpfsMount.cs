using System.Diagnostics;

namespace MailRelay.Tests.Integration;

/// <summary>A tiny tmpfs, for real ENOSPC. Mounting needs root, as CI runs; without it the test fails saying so.</summary>
internal sealed class TmpfsMount : IDisposable
{
    public TmpfsMount(string path, string size)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path);
    }

    public string Path { get; }

    public void Dispose() => Run("umount", Path);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed (this test needs root to mount a tmpfs): {error}");
        }
    }
}
