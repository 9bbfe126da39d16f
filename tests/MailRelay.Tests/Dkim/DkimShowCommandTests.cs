using MailRelay.Configuration;
using MailRelay.Dkim;
using MailRelay.DnsPublishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Dkim;

public sealed class DkimShowCommandTests : IDisposable
{
    private readonly DkimTestDirectory _directory = new();

    [Fact]
    public void Prints_the_dkim_spf_and_dmarc_records_of_an_existing_key()
    {
        var configuration = Configuration();
        using (var store = DkimKeyStore.LoadOrCreate(configuration.Dkim, NullLogger.Instance))
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            var exitCode = DkimShowCommand.Run(configuration, "example.com", stdout, stderr);

            Assert.Equal(0, exitCode);
            var output = stdout.ToString();
            var key = new DkimPublicKey("example.com", "mail", store.Keys[0].PublicKeyBase64);
            Assert.Contains(DnsZoneText.Line(new DnsRecord(key.RecordName, DnsRecordType.TXT, key.RecordValue, 300)), output, StringComparison.Ordinal);
            Assert.Contains("example.com. 300 IN MX 10 relay.example.com.", output, StringComparison.Ordinal);
            Assert.Contains("_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@example.com\"", output, StringComparison.Ordinal);
            Assert.Contains("DNS_EXTERNAL_IPS is empty", output, StringComparison.Ordinal);
            Assert.Empty(stderr.ToString());
        }
    }

    [Fact]
    public void Without_a_key_says_the_daemon_generates_it_and_fails_without_creating_one()
    {
        var configuration = Configuration();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = DkimShowCommand.Run(configuration, null, stdout, stderr);

        Assert.Equal(1, exitCode);
        Assert.Contains("generates it on its first start", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Unknown_domain_is_refused()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = DkimShowCommand.Run(Configuration(), "other.example", stdout, stderr);

        Assert.Equal(1, exitCode);
        Assert.Contains("other.example is not a DKIM domain", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Prints_what_the_publisher_publishes_addresses_and_spf_included()
    {
        var configuration = Configuration(("DNS_EXTERNAL_IPS", "203.0.113.1,2001:db8::1"));
        using var store = DkimKeyStore.LoadOrCreate(configuration.Dkim, NullLogger.Instance);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = DkimShowCommand.Run(configuration, null, stdout, stderr);

        var printed = stdout.ToString().Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';')).Select(l => l.TrimEnd('\r')).ToArray();
        var sets = DesiredRecords.Compute(
            configuration, [new DkimPublicKey("example.com", "mail", store.Keys[0].PublicKeyBase64)], configuration.Dns.ExternalIps);
        Assert.Equal(0, exitCode);
        Assert.Equal(sets.SelectMany(s => s.Records).Select(DnsZoneText.Line), printed);
        Assert.Contains("example.com. 300 IN TXT \"v=spf1 ip4:203.0.113.1 ip6:2001:db8::1 a:relay.example.com ~all\"", printed);
    }

    private RelayConfiguration Configuration(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["MAIL_HOSTNAME"] = "relay.example.com",
            ["MAIL_DOMAINS"] = "example.com",
            ["DKIM_KEY_SIZE"] = "1024",
            ["DKIM_KEY_DIR"] = _directory.Path,
            ["DATA_DIR"] = _directory.Path,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        var result = ConfigurationLoader.Load(environment);
        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        return result.Configuration;
    }

    public void Dispose() => _directory.Dispose();
}
