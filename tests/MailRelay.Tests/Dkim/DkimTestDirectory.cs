using MailRelay.Configuration;

namespace MailRelay.Tests.Dkim;

/// <summary>A key directory under the system temp folder, removed when the test ends.</summary>
internal sealed class DkimTestDirectory : IDisposable
{
    public DkimTestDirectory()
    {
        Path = Directory.CreateTempSubdirectory("mailrelay-dkim-").FullName;
    }

    public string Path { get; }

    public DkimSettings Settings(bool autoGenerate = true, int keySize = 1024, params MailDomain[] domains) => new()
    {
        Enabled = true,
        AutoGenerate = autoGenerate,
        KeySize = keySize,
        Domains = domains.Length > 0 ? domains : [new MailDomain("example.com", "mail")],
        DefaultSelector = "mail",
        KeyDirectory = Path,
    };

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
