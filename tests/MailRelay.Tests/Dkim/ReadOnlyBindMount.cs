using MailRelay.Tests.Support;

namespace MailRelay.Tests.Dkim;

/// <summary>
/// A directory mounted read-only at another path, as a Kubernetes Secret volume is. Root ignores file
/// modes, so only a read-only mount refuses writes for real. Mounting needs root, as CI runs.
/// </summary>
internal sealed class ReadOnlyBindMount : IDisposable
{
    private const string Why = "this test needs root to bind-mount read-only";

    public ReadOnlyBindMount(string source, string target)
    {
        Target = target;
        Directory.CreateDirectory(target);
        RootCommand.Run(Why, "mount", "--bind", source, target);
        try
        {
            RootCommand.Run(Why, "mount", "-o", "remount,bind,ro", target);
        }
        catch
        {
            RootCommand.Run(Why, "umount", target);
            throw;
        }
    }

    public string Target { get; }

    public void Dispose() => RootCommand.Run(Why, "umount", Target);
}
