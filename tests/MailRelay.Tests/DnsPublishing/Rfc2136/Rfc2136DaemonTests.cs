using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.DnsPublishing;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using MimeKit;
using static MailRelay.Tests.DnsPublishing.Rfc2136.BindProviders;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>
/// The published executable against a real BIND, as an operator runs it: <c>dns apply</c> and <c>dns plan</c> from the
/// command line, and the daemon publishing by itself, its key then fetched from BIND by python3-dkim.
/// </summary>
[Collection(BindTestGroup.Name)]
public sealed class Rfc2136DaemonTests(BindFixture bind) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly BindServer _server = bind.Server;
    private readonly TestDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Dns_apply_publishes_into_BIND_then_dns_plan_is_in_sync_and_dns_status_sees_the_records()
    {
        var domain = UniqueName("cli");
        var environment = Environment(domain, sinkPort: 9);
        await using (await DaemonProcess.StartAsync(WithoutPublishing(environment)))
        {
            // The first start makes the DKIM key; publishing is left to the command below.
        }

        var before = await DaemonProcess.RunToExitAsync(environment, "dns", "plan");
        var apply = await DaemonProcess.RunToExitAsync(environment, "dns", "apply");
        var after = await DaemonProcess.RunToExitAsync(environment, "dns", "plan");
        var status = await DaemonProcess.RunToExitAsync(environment, "dns", "status");

        Assert.True(before.ExitCode == 3, before.Output);
        Assert.Contains("+ mail._domainkey." + domain + ". 300 IN TXT \"v=DKIM1; k=rsa; p=", before.Output, StringComparison.Ordinal);
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.Contains("; no changes to make", after.Output, StringComparison.Ordinal);
        Assert.Contains("203.0.113.7", string.Join(' ', _server.Dig("mail." + domain, "A", "+short")), StringComparison.Ordinal);
        Assert.Contains($"in_sync   yes      {domain}. 300 IN MX 10 mail.{domain}.", status.Output, StringComparison.Ordinal);
        Assert.Contains($"in_sync   yes      _dmarc.{domain}. 300 IN TXT", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" no       ", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daemon_publishes_its_own_key_and_a_message_it_relays_verifies_against_BIND()
    {
        var domain = UniqueName("daemon");
        await using var sink = await RecordingSmtpSink.StartAsync();
        var environment = Environment(domain, sink.EndPoint.Port);
        environment["ADMIN_LISTEN"] = "127.0.0.1:0";
        await using var daemon = await DaemonProcess.StartAsync(environment);

        // The success time is set before the states it explains: a scrape that sees them sees it.
        var metrics = await AdminClient.MetricsWhenAsync(daemon, samples => InSync(samples) == 5, Limit);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Application", "app@" + domain));
        message.To.Add(MailboxAddress.Parse("user@sink.test"));
        message.Subject = "signed with a key the relay published itself";
        message.Body = new TextPart("plain") { Text = "Hello through BIND.\r\n" };
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, Limit);
        var delivered = Assert.Single(sink.Received).Content;
        Assert.True(BindDkimVerifier.Verifies(_server, delivered, out var lookups), "python3-dkim refused the message: " + lookups);
        Assert.Contains("asked mail._domainkey." + domain, lookups, StringComparison.Ordinal);
        Assert.Equal(0, metrics.Single(s => s.Name == "mailrelay_dns_errors_total").Value);
        Assert.True(LastSuccess(metrics) > 0, "records in sync without a success time");
        Assert.Contains("DNS rfc2136: create mail._domainkey." + domain, daemon.Output, StringComparison.Ordinal);
        var text = Encoding.Latin1.GetString(delivered);
        Assert.Contains("d=" + domain, text, StringComparison.Ordinal);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.False(BindDkimVerifier.Verifies(_server, Encoding.Latin1.GetBytes(text.Insert(bodyStart, "Altered.\r\n")), out _), "a tampered message still verified");
    }

    private static double InSync(IReadOnlyList<MetricSample> samples) =>
        samples.SingleOrDefault(s => s.Name == "mailrelay_dns_records" && s.Labels["state"] == DnsMetrics.Label(DnsRecordState.InSync))?.Value ?? -1;

    private static double LastSuccess(IReadOnlyList<MetricSample> samples) =>
        samples.SingleOrDefault(s => s.Name == "mailrelay_dns_last_success_timestamp_seconds")?.Value ?? -1;

    private static Dictionary<string, string> WithoutPublishing(Dictionary<string, string> environment) =>
        new(environment) { ["DNS_PROVIDER"] = "none" };

    private Dictionary<string, string> Environment(string domain, int sinkPort) => new()
    {
        ["MAIL_HOSTNAME"] = "mail." + domain,
        ["MAIL_DOMAINS"] = domain,
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "none",
        ["DATA_DIR"] = _data.Path,
        ["DKIM_KEY_SIZE"] = "2048",
        ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sinkPort}\"}}",
        ["DNS_SERVERS"] = $"{_server.EndPoint}",
        ["DNS_PROVIDER"] = "rfc2136",
        ["DNS_RFC2136_SERVER"] = $"{_server.EndPoint}",
        ["DNS_RFC2136_TSIG_NAME"] = _server.Key.Name,
        ["DNS_RFC2136_TSIG_ALGORITHM"] = _server.Key.Algorithm,
        ["DNS_RFC2136_TSIG_SECRET"] = Convert.ToBase64String(_server.Key.Secret),
        ["DNS_EXTERNAL_IPS"] = "203.0.113.7",
        ["DNS_OWNER_ID"] = "mail/relay",
    };
}
