using System.Diagnostics;

namespace MailRelay.Tests.Dkim;

/// <summary>
/// A directory mounted read-only at another path, as a Kubernetes Secret volume is. Root ignores file
/// modes, so only a read-only mount refuses writes for real. Mounting needs root, as CI runs.
/// </summary>
internal sealed class ReadOnlyBindMount : IDisposable
{
    public ReadOnlyBindMount(string source, string target)
    {
        Target = target;
        Directory.CreateDirectory(target);
        Run("mount", "--bind", source, target);
        try
        {
            Run("mount", "-o", "remount,bind,ro", target);
        }
        catch
        {
            Run("umount", target);
            throw;
        }
    }

    public string Target { get; }

    public void Dispose() => Run("umount", Target);

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
            throw new InvalidOperationException($"{program} failed (this test needs root to bind-mount read-only): {error}");
        }
    }
}
