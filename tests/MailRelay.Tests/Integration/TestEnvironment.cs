namespace MailRelay.Tests.Integration;

/// <summary>A fresh data directory per test, removed afterwards.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailrelay-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ActiveQueue => System.IO.Path.Combine(Path, "queue", "active");

    public string[] QueuedFiles() =>
        Directory.Exists(ActiveQueue) ? Directory.GetFiles(ActiveQueue, "*.msg") : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
