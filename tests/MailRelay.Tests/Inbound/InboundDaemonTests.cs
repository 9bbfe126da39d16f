using System.Net;
using System.Text.Json;
using MailRelay.Events;
using MailRelay.Tests.Integration;
using MimeKit;

namespace MailRelay.Tests.Inbound;

/// <summary>
/// The daemon as a process with INBOUND_ENABLED and VERP return paths: a DSN and an ARF report sent back to the
/// return path a delivery left with become events for that message in DATA_DIR/events, a DMARC report shows up in
/// /metrics, and other mail to postmaster is kept.
/// </summary>
public sealed class InboundDaemonTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string> Environment(TestDirectory data, RecordingSmtpSink sink) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["MAIL_DOMAINS"] = "ours.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["TRUSTED_NETWORKS"] = "127.0.0.1/32",
        ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sink.EndPoint.Port}\"}}",
        ["DKIM_ENABLED"] = "false",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["BOUNCE_VERP_ENABLED"] = "true",
        ["BOUNCE_HMAC_SECRET"] = "inbound-daemon-test-secret-0123456789abcdef",
        ["INBOUND_ENABLED"] = "true",
    };

    [Fact]
    public async Task A_dsn_and_an_arf_report_to_the_return_path_become_bounced_and_complained_events_for_the_message()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, sink));
        var queueId = await SubmitAsync(daemon);
        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, Limit);
        var returnPath = Assert.Single(sink.Received).Sender;
        Assert.StartsWith("bounce+", returnPath, StringComparison.Ordinal);

        Assert.StartsWith("250 2.0.0 Ok: processed", await SendAsync(daemon, "", returnPath, InboundSamples.Dsn(returnPath)), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 Ok: processed", await SendAsync(daemon, "fbl@feedback.mailbox.example", "fbl@ours.example", InboundSamples.Arf("fbl@ours.example", returnPath)), StringComparison.Ordinal);
        Assert.StartsWith("550 5.7.1", await SendAsync(daemon, "", "bounce+" + new string('a', 44) + "@ours.example", InboundSamples.Dsn("x")), StringComparison.Ordinal);

        var events = OutboxEvents(data);
        var bounced = Assert.Single(events, e => e.GetProperty("type").GetString() == RelayEventTypes.Bounced);
        Assert.Equal(queueId, bounced.GetProperty("queue_id").GetString());
        Assert.Equal("jane@sink.test", bounced.GetProperty("recipient").GetString());
        Assert.Equal("5.1.1", bounced.GetProperty("dsn_status").GetString());
        Assert.Equal("order-42", bounced.GetProperty("client_id").GetString());
        var complained = Assert.Single(events, e => e.GetProperty("type").GetString() == RelayEventTypes.Complained);
        Assert.Equal(queueId, complained.GetProperty("queue_id").GetString());
        Assert.Equal("jane@sink.test", complained.GetProperty("recipient").GetString());
        Assert.Equal("abuse", complained.GetProperty("details").GetProperty("feedback_type").GetString());
    }

    [Fact]
    public async Task A_dmarc_report_shows_up_in_the_metrics_and_mail_to_postmaster_is_kept()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, sink));

        Assert.StartsWith("250 2.0.0 Ok: processed", await SendAsync(daemon, "noreply-dmarc-support@google.com", "dmarc@ours.example", InboundSamples.GoogleMessage("dmarc@ours.example")), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 Ok: kept", await SendAsync(daemon, "someone@remote.example", "postmaster@ours.example", InboundSamples.PlainMessage("postmaster@ours.example")), StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{daemon.AdminEndPoint}") };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("mailrelay_dmarc_reports_total{result=\"parsed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_dmarc_messages_total{reporter=\"google.com\",disposition=\"none\",dkim=\"pass\",spf=\"pass\"} 41", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_inbound_messages_total{kind=\"dmarc_report\",outcome=\"processed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_inbound_messages_total{kind=\"other\",outcome=\"kept\"} 1", metrics, StringComparison.Ordinal);
        var kept = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Path.Combine(data.Path, "inbound"), "*.eml")));
        Assert.Contains("Subject: Please remove me", kept, StringComparison.Ordinal);
        Assert.Empty(sink.Received);
    }

    private static List<JsonElement> OutboxEvents(TestDirectory data) =>
        Directory.GetFiles(Path.Combine(data.Path, "events"), "*.jsonl")
            .SelectMany(File.ReadAllLines)
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    private static async Task<string> SubmitAsync(DaemonProcess daemon)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("orders@ours.example"));
        message.To.Add(MailboxAddress.Parse("jane@sink.test"));
        message.Subject = "Your order 42";
        message.Headers.Add("X-Message-ID", "order-42");
        message.Body = new TextPart("plain") { Text = "Thank you.\r\n" };
        return await daemon.SubmitAsync(message);
    }

    /// <summary>One transaction from an address outside TRUSTED_NETWORKS; the RCPT refusal or the reply after DATA.</summary>
    private static async Task<string> SendAsync(DaemonProcess daemon, string sender, string recipient, string content)
    {
        await using var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO mx.remote.example");
        await client.CommandAsync($"MAIL FROM:<{sender}>");
        var rcpt = await client.CommandAsync($"RCPT TO:<{recipient}>") ?? string.Empty;
        if (!rcpt.StartsWith("250", StringComparison.Ordinal))
        {
            return rcpt;
        }

        await client.CommandAsync("DATA");
        var body = content.Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        return await client.CommandAsync(body + ".") ?? string.Empty;
    }

}
