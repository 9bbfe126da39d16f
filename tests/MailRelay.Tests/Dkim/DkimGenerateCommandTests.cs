using MailRelay.Configuration;
using MailRelay.Dkim;
using MailRelay.DnsPublishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Dkim;

/// <summary>Rotation: a key under a new selector, made beside the active one without touching it.</summary>
public sealed class DkimGenerateCommandTests : IDisposable
{
    private readonly DkimTestDirectory _directory = new();

    [Fact]
    public void New_selector_gets_a_key_that_the_daemon_then_uses_unchanged()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = DkimGenerateCommand.Run(Configuration("example.com"), "example.com", "mail2027", stdout, stderr);

        Assert.Equal(0, exitCode);
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail2027");
        var privateBytes = File.ReadAllBytes(files.PrivateKeyPath);
        using var store = DkimKeyStore.LoadOrCreate(Configuration("example.com:mail2027").Dkim, NullLogger.Instance);
        Assert.Equal(DkimKeyOrigin.Existing, store.Keys[0].Origin);
        var published = new DkimPublicKey("example.com", "mail2027", store.Keys[0].PublicKeyBase64);
        Assert.Contains(DnsZoneText.Line(new DnsRecord(published.RecordName, DnsRecordType.TXT, published.RecordValue, 300)), stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(privateBytes, File.ReadAllBytes(files.PrivateKeyPath));
    }

    [Fact]
    public void Existing_selector_is_never_replaced()
    {
        var configuration = Configuration("example.com");
        using (DkimKeyStore.LoadOrCreate(configuration.Dkim, NullLogger.Instance))
        {
        }

        var path = DkimKeyFiles.For(_directory.Path, "example.com", "mail").PrivateKeyPath;
        var before = File.ReadAllBytes(path);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = DkimGenerateCommand.Run(configuration, "example.com", "mail", stdout, stderr);

        Assert.Equal(1, exitCode);
        Assert.Contains("already exists", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    private RelayConfiguration Configuration(string mailDomains)
    {
        var result = ConfigurationLoader.Load(new Dictionary<string, string?>
        {
            ["MAIL_HOSTNAME"] = "relay.example.com",
            ["MAIL_DOMAINS"] = mailDomains,
            ["DKIM_KEY_SIZE"] = "1024",
            ["DKIM_KEY_DIR"] = _directory.Path,
            ["DATA_DIR"] = _directory.Path,
        });
        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        return result.Configuration;
    }

    public void Dispose() => _directory.Dispose();
}
