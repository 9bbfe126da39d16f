using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The daemon as a process relaying to a real SMTP next hop: bytes arrive as accepted (plus our trace
/// header), and a kill -9 in the middle of delivering loses nothing and re-sends at most the few in flight.
/// </summary>
public class DeliveryEndToEndTests
{
    private static Dictionary<string, string> Environment(TestDirectory data, RecordingSmtpSink sink) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sink.EndPoint.Port}\"}}",
        ["DKIM_ENABLED"] = "false",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
    };

    private static MimeMessage Message(string marker)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse("user@sink.test"));
        message.Subject = marker;
        message.Body = new TextPart("plain") { Text = marker + "\r\nsecond line\r\n" };
        return message;
    }

    private static string Subject(byte[] content)
    {
        var text = Encoding.Latin1.GetString(content);
        var start = text.IndexOf("\r\nSubject: ", StringComparison.Ordinal) + 11;
        return text[start..text.IndexOf("\r\n", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Accepted_message_reaches_the_next_hop_byte_identical_after_our_trace_header()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, sink));
        var message = Message("identity check");
        using var original = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, original);

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, TimeSpan.FromSeconds(60));
        var (sender, recipients, content) = Assert.Single(sink.Received);
        Assert.Equal("app@ours.example", sender);
        Assert.Equal(["user@sink.test"], recipients);
        var text = Encoding.Latin1.GetString(content);
        Assert.StartsWith("Received: from ", text, StringComparison.Ordinal);
        Assert.EndsWith(Encoding.Latin1.GetString(original.ToArray()), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_9_while_delivering_a_thousand_messages_loses_none_and_resends_at_most_the_in_flight_few()
    {
        const int total = 1000;
        await using var sink = await RecordingSmtpSink.StartAsync(gateClosed: true);
        using var data = new TestDirectory();
        var environment = Environment(data, sink);
        var daemon = await DaemonProcess.StartAsync(environment);

        // Submit everything while the sink holds every delivery at its final dot: all 1,000 are acknowledged
        // and queued, none delivered yet.
        var markers = Enumerable.Range(0, total).Select(i => $"message {i:D4}").ToArray();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            for (var i = worker; i < total; i += 4)
            {
                await client.SendAsync(Message(markers[i]));
            }

            await client.DisconnectAsync(quit: true);
        }));
        Assert.Empty(sink.Received);

        // Let 150 deliveries complete; once 100 have, kill -9 the daemon in the middle of the rest.
        sink.Gate.Release(150);
        await sink.WaitUntilAsync(() => sink.Received.Count >= 100, TimeSpan.FromSeconds(120));
        daemon.Kill();
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await daemon.DisposeAsync();
        sink.Gate.Release(int.MaxValue / 4);
        Assert.True(sink.Received.Count < total);

        await using var restarted = await DaemonProcess.StartAsync(environment);
        await sink.WaitUntilAsync(() => sink.Received.Select(m => Subject(m.Content)).Distinct().Count() == total, TimeSpan.FromSeconds(180));

        var subjects = sink.Received.Select(m => Subject(m.Content)).ToList();
        Assert.Equal(markers.OrderBy(m => m, StringComparer.Ordinal), subjects.Distinct().OrderBy(m => m, StringComparer.Ordinal));
        var duplicates = subjects.Count - total;
        Assert.True(duplicates <= 20, $"{duplicates} messages were delivered twice; only those in flight at the kill may be");
    }
}
