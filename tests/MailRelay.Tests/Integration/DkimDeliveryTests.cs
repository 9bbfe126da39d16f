using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Tests.Dkim;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// DKIM end to end: the daemon generates its key, signs at delivery, and python3-dkim (an independent
/// verifier) accepts exactly what the next hop received — and refuses it once tampered with.
/// </summary>
public class DkimDeliveryTests
{
    [Fact]
    public async Task Delivered_messages_verify_with_python_dkim_and_tampering_breaks_them()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(SigningDaemon(data, $"{{\"sink.test\":\"127.0.0.1:{sink.EndPoint.Port}\"}}"));

        var plain = new MimeMessage();
        plain.From.Add(new MailboxAddress("Application", "app@ours.example"));
        plain.To.Add(MailboxAddress.Parse("user@sink.test"));
        plain.Subject = "plain";
        plain.Body = new TextPart("plain") { Text = "Hello.\r\n.A line that starts with a dot.\r\n" };

        var eightBit = new MimeMessage();
        eightBit.From.Add(new MailboxAddress("Zoë Ünicode", "app@ours.example"));
        eightBit.To.Add(MailboxAddress.Parse("user@sink.test"));
        eightBit.Subject = "Grüße aus Köln — ünïcödé";
        var body = new TextPart("plain") { Text = "Straße, Größe, naïve café.\r\n" + new string('x', 1500) + "\r\n" };
        body.ContentTransferEncoding = ContentEncoding.EightBit;
        var multipart = new Multipart("mixed") { body, new MimePart("application", "octet-stream") { Content = new MimeContent(new MemoryStream(new byte[3000])), FileName = "zeros.bin" } };
        eightBit.Body = multipart;

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            await client.SendAsync(plain);
            await client.SendAsync(eightBit);
            await client.DisconnectAsync(quit: true);
        }

        await sink.WaitUntilAsync(() => sink.Received.Count >= 2, TimeSpan.FromSeconds(60));
        var record = Path.Combine(data.Path, "dkim-keys", "ours.example", "mail.txt");
        foreach (var (_, _, content) in sink.Received)
        {
            var text = Encoding.Latin1.GetString(content);
            Assert.StartsWith("DKIM-Signature: ", text, StringComparison.Ordinal);
            Assert.Contains("d=ours.example", text, StringComparison.Ordinal);
            Assert.True(PythonDkimVerifier.Verifies(record, content), "python3-dkim refused a delivered message:\n" + text[..Math.Min(text.Length, 2000)]);

            var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
            var tampered = Encoding.Latin1.GetBytes(text.Insert(bodyStart, "Altered in transit.\r\n"));
            Assert.False(PythonDkimVerifier.Verifies(record, tampered), "a tampered message still verified");
        }
    }

    /// <summary>A daemon for ours.example that makes its own 1024-bit key and delivers by <paramref name="routes"/> (DELIVERY_ROUTES).</summary>
    internal static Dictionary<string, string> SigningDaemon(TestDirectory data, string routes) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["MAIL_DOMAINS"] = "ours.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "none",
        ["DATA_DIR"] = data.Path,
        ["DKIM_KEY_SIZE"] = "1024",
        ["DELIVERY_ROUTES"] = routes,
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
    };
}
