namespace MailRelay.Tests.Queue;

/// <summary>A fresh data directory under the system temp directory, removed afterwards.</summary>
internal sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailrelay-spool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Incoming => System.IO.Path.Combine(Path, "queue", "incoming");

    public string Active => System.IO.Path.Combine(Path, "queue", "active");

    public string[] IncomingFiles() => Directory.Exists(Incoming) ? Directory.GetFiles(Incoming) : [];

    public string[] ActiveFiles() => Directory.Exists(Active) ? Directory.GetFiles(Active) : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; the test result is what matters.
        }
    }
}
