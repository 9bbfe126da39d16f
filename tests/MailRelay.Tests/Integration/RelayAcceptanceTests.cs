using System.Net;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>The daemon end to end over loopback sockets: MailKit in, spool files out.</summary>
public class RelayAcceptanceTests
{
    private static MimeMessage Message(string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse("someone@elsewhere.example"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private static byte[] Serialize(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, stream);
        return stream.ToArray();
    }

    [Fact]
    public async Task Trusted_client_message_is_spooled_with_a_received_header_and_the_queue_id_in_the_reply()
    {
        await using var relay = await InProcessRelay.StartAsync();
        using var client = new SmtpClient();
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);
        var message = Message("hello", "Line one.\r\n.Line starting with a dot.\r\nLine three.");
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);

        var queued = Assert.Single(relay.Data.QueuedMessages());
        var queueId = queued.QueueId;
        Assert.Contains(queueId, reply, StringComparison.Ordinal);

        var stored = queued.Bytes;
        var headerEnd = Array.IndexOf(stored, (byte)'\n') + 1;
        var content = Encoding.Latin1.GetString(stored, headerEnd, stored.Length - headerEnd);
        Assert.StartsWith("Received: from ", content, StringComparison.Ordinal);
        Assert.Contains("(unknown [127.0.0.1])", content, StringComparison.Ordinal);
        Assert.Contains("by relay.test.example (MailRelay) with ESMTP id " + queueId, content, StringComparison.Ordinal);
        Assert.Contains("for <someone@elsewhere.example>", content, StringComparison.Ordinal);
        var original = Encoding.Latin1.GetString(Serialize(message));
        Assert.EndsWith(original, content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Untrusted_client_cannot_relay_and_nothing_is_spooled()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["TRUSTED_NETWORKS"] = "127.0.0.1/32" });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO attacker.example"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<attacker@evil.example>"), StringComparison.Ordinal);
        Assert.Equal("554 5.7.1 <victim@gmail.com>: Relay access denied", await client.CommandAsync("RCPT TO:<victim@gmail.com>"));
        Assert.StartsWith("554 5.5.1", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("221 ", await client.CommandAsync("QUIT"), StringComparison.Ordinal);

        Assert.Empty(relay.Data.QueuedFiles());
        Assert.Contains("relay denied", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_to_our_own_domain_needs_the_same_permission()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["TRUSTED_NETWORKS"] = "127.0.0.1/32",
            ["MAIL_DOMAINS"] = "ours.example",
        });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO outside.example");
        await client.CommandAsync("MAIL FROM:<x@outside.example>");
        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<boss@ours.example>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_are_served_on_the_admin_listener()
    {
        await using var relay = await InProcessRelay.StartAsync();
        Assert.Equal("ok\n", await relay.GetAdminAsync("/healthz"));
        Assert.Equal("ready\n", await relay.GetAdminAsync("/readyz"));

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);
            await client.SendAsync(Message("metrics", "count me"));
            await client.DisconnectAsync(quit: true);
        }

        await using (var raw = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint))
        {
            await raw.ReadReplyAsync();
            await raw.CommandAsync("BOGUS");
            await raw.CommandAsync("QUIT");
            await raw.IsClosedByServerAsync();
        }

        var metrics = await WaitForMetricAsync(relay, "mailrelay_smtp_sessions_ended_total{outcome=\"quit\"} 2");
        Assert.Contains("mailrelay_smtp_sessions_total 2", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_messages_accepted_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_replies_total{class=\"5xx\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_commands_total{verb=\"DATA\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_sessions_active 0", metrics, StringComparison.Ordinal);
        Assert.Matches(@"mailrelay_smtp_received_bytes_total [1-9]", metrics);
        Assert.Contains("mailrelay_smtp_commit_seconds_count 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_commit_seconds_bucket{le=\"+Inf\"} 1", metrics, StringComparison.Ordinal);
    }

    /// <summary>
    /// The session-end counter is updated after the client has seen QUIT's reply, so poll the endpoint
    /// (bounded) until the expected line appears, as a Prometheus scraper would.
    /// </summary>
    private static async Task<string> WaitForMetricAsync(InProcessRelay relay, string line)
    {
        var text = string.Empty;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            text = await relay.GetAdminAsync("/metrics");
            if (text.Contains(line, StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Yield();
        }

        Assert.Fail($"metric line '{line}' never appeared:\n{text}");
        return text;
    }
}
