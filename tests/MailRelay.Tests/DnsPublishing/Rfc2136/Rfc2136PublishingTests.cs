using System.Net;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Configuration;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using static MailRelay.Tests.DnsPublishing.Rfc2136.BindProviders;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>
/// The whole chain into a real BIND: the publisher plans, the RFC 2136 provider writes, dig reads what resolvers would
/// see; and a message the daemon signs verifies with python3-dkim fetching the key from BIND.
/// </summary>
[Collection(BindTestGroup.Name)]
public sealed class Rfc2136PublishingTests(BindFixture bind) : IDisposable
{
    private readonly BindServer _server = bind.Server;
    private readonly TestDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Published_records_resolve_through_BIND_and_a_second_run_changes_nothing()
    {
        var domain = UniqueName("pub");
        var configuration = Configure(domain);
        await using (await DaemonProcess.StartAsync(DaemonEnvironment(domain, sinkPort: 9)))
        {
            // The daemon makes its DKIM key on first start; the publisher reads it from the same data directory.
        }

        var first = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);
        var second = await Publisher(configuration).RunAsync(apply: true, CancellationToken.None);

        Assert.Equal(
            [RecordKind.A, RecordKind.Mx, RecordKind.Spf, RecordKind.Dkim, RecordKind.Dmarc],
            first.Desired.Select(set => set.Kind).Order());
        Assert.All(first.Records, record => Assert.Equal(DnsRecordState.InSync, record.State));
        foreach (var set in first.Desired)
        {
            Assert.Equal(set.Values.Order(StringComparer.Ordinal), Resolved(set.Name, set.Type).Where(value => set.InSlot(new(set.Name, set.Type, value, set.Ttl))));
        }

        Assert.Empty(second.Changes);
        Assert.All(second.Records, record => Assert.Equal(DnsRecordState.InSync, record.State));
    }

    [Fact]
    public async Task A_relayed_message_verifies_with_python_dkim_taking_the_key_from_BIND()
    {
        var domain = UniqueName("dkim");
        await using var sink = await RecordingSmtpSink.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(DaemonEnvironment(domain, sink.EndPoint.Port));
        var published = await Publisher(Configure(domain)).RunAsync(apply: true, CancellationToken.None);
        Assert.Contains(published.Desired, set => set is { Kind: RecordKind.Dkim, Name: var name } && name == "mail._domainkey." + domain);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Application", "app@" + domain));
        message.To.Add(MailboxAddress.Parse("user@sink.test"));
        message.Subject = "signed for a key in BIND";
        message.Body = new TextPart("plain") { Text = "Hello through BIND.\r\n" };
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, TimeSpan.FromSeconds(60));
        var delivered = Assert.Single(sink.Received).Content;
        Assert.True(BindDkimVerifier.Verifies(_server, delivered, out var lookups), "python3-dkim refused the message: " + lookups);
        Assert.Contains("asked mail._domainkey." + domain, lookups, StringComparison.Ordinal);

        var text = Encoding.Latin1.GetString(delivered);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.False(BindDkimVerifier.Verifies(_server, Encoding.Latin1.GetBytes(text.Insert(bodyStart, "Altered.\r\n")), out _), "a tampered message still verified");
    }

    private Dictionary<string, string> DaemonEnvironment(string domain, int sinkPort) => new()
    {
        ["MAIL_HOSTNAME"] = "mail." + domain,
        ["MAIL_DOMAINS"] = domain,
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "none",
        ["DATA_DIR"] = _data.Path,
        ["DKIM_KEY_SIZE"] = "2048",
        ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sinkPort}\"}}",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
    };

    private RelayConfiguration Configure(string domain) => TestEnvironment.LoadValid(
        ("MAIL_HOSTNAME", "mail." + domain), ("MAIL_DOMAINS", domain), ("DATA_DIR", _data.Path),
        ("DNS_OWNER_ID", "mail/relay"), ("DKIM_KEY_SIZE", "2048"));

    private DnsPublisher Publisher(RelayConfiguration configuration) =>
        new(configuration, Signed(_server), new StaticAddressSource([IPAddress.Parse("203.0.113.7")]), NullLogger<DnsPublisher>.Instance);

    /// <summary>What dig finds at a name, in <see cref="DnsRecord.Value"/>'s form: TXT strings joined, MX host without its dot.</summary>
    private List<string> Resolved(string name, DnsRecordType type) =>
        [.. _server.Dig(name, type.ToString(), "+short")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => type switch
            {
                DnsRecordType.TXT => string.Concat(QuotedStrings(line)),
                DnsRecordType.MX => line.TrimEnd('.'),
                _ => line,
            })
            .Order(StringComparer.Ordinal)];
}
