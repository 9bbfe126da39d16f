using System.Diagnostics;

namespace MailRelay.Tests.Support;

/// <summary>
/// Runs a system command that needs root (mount, umount), as CI runs; a failure throws with the command's
/// own error and says why the test needs it, instead of the test being skipped.
/// </summary>
internal static class RootCommand
{
    public static void Run(string why, string program, params string[] arguments)
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
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({error.Trim()}); {why}");
        }
    }
}
