using MailRelay.Configuration;
using MailRelay.Dkim;
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
            Assert.Contains(store.Keys[0].ZoneLine, output, StringComparison.Ordinal);
            Assert.Contains("example.com. IN TXT \"v=spf1 a:relay.example.com ~all\"", output, StringComparison.Ordinal);
            Assert.Contains("_dmarc.example.com. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@example.com\"", output, StringComparison.Ordinal);
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
    public void Spf_lists_known_addresses_before_the_host()
    {
        var line = DkimRecords.SpfLine(
            "example.com", "relay.example.com", [System.Net.IPAddress.Parse("203.0.113.1"), System.Net.IPAddress.Parse("2001:db8::1")]);

        Assert.Equal("example.com. IN TXT \"v=spf1 ip4:203.0.113.1 ip6:2001:db8::1 a:relay.example.com ~all\"", line);
    }

    private RelayConfiguration Configuration()
    {
        var result = ConfigurationLoader.Load(new Dictionary<string, string?>
        {
            ["MAIL_HOSTNAME"] = "relay.example.com",
            ["MAIL_DOMAINS"] = "example.com",
            ["DKIM_KEY_SIZE"] = "1024",
            ["DKIM_KEY_DIR"] = _directory.Path,
            ["DATA_DIR"] = _directory.Path,
        });
        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        return result.Configuration;
    }

    public void Dispose() => _directory.Dispose();
}
