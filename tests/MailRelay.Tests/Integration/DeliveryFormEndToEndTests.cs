using System.Text;
using MailRelay.Delivery.Transport;
using MailRelay.Tests.Delivery.Transport;
using MailRelay.Tests.Dkim;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// What the daemon accepts it delivers (DESIGN invariant 9), through the real daemon to next hops that behave
/// like strict ones: lines over 1,000 octets refused with <c>500 5.5.2 Line too long</c>, no SMTPUTF8, no DSN
/// extension. Lines over the limit are rewritten before signing (python3-dkim verifies what arrives, and it
/// decodes to what was sent); a message flagged SMTPUTF8 whose envelope and headers are plain ASCII goes
/// without SMTPUTF8, and so does the DSN that tells its sender about a refused recipient.
/// </summary>
public sealed class DeliveryFormEndToEndTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly FakeSmtpBehaviour StrictHop = new()
    {
        Extensions = ["8BITMIME", "SIZE 52428800", "ENHANCEDSTATUSCODES"],
        Strict = true,
        RecipientReply = address => address.StartsWith("unknown@", StringComparison.Ordinal)
            ? "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
            : "250 2.1.5 Ok",
    };

    [Fact]
    public async Task The_strict_next_hop_refuses_a_line_over_1000_octets_and_smtputf8()
    {
        await using var hop = FakeSmtpServer.StartOnLoopback(StrictHop);
        await using var client = await RawSmtpClient.ConnectAsync(hop.EndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("555 5.5.4", await client.CommandAsync("MAIL FROM:<app@ours.example> SMTPUTF8"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<app@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<user@strict.test>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.Equal("500 5.5.2 Line too long", await client.CommandAsync("Subject: x\r\n\r\n" + new string('x', 999) + "\r\n."));
        Assert.Empty(hop.Messages);
    }

    [Fact]
    public async Task A_message_with_over_long_lines_is_delivered_signed_and_decodes_to_what_was_sent()
    {
        await using var hop = FakeSmtpServer.StartOnLoopback(StrictHop);
        using var data = new TestDirectory();
        await using var daemon = await StartDaemonAsync(data, hop);
        var longText = "Straße, naïve café: " + string.Concat(Enumerable.Repeat("Grüße aus Köln, ", 150)) + "Ende.\r\nzweite Zeile\r\n";
        var asciiLine = new string('a', 2000) + "\r\n";
        var subject = string.Join(' ', Enumerable.Range(0, 250).Select(i => "word" + i));
        var attachment = Enumerable.Range(0, 4000).Select(i => (byte)(i % 253)).ToArray();
        var stored =
            "From: Application <app@ours.example>\r\n" +
            "To: user@strict.test\r\n" +
            "Subject: " + subject + "\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
            "\r\n" +
            "--b1\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Transfer-Encoding: 8bit\r\n" +
            "\r\n" +
            longText +
            "--b1\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n" +
            "\r\n" +
            asciiLine +
            "--b1\r\n" +
            "Content-Type: application/octet-stream; name=data.bin\r\n" +
            "Content-Transfer-Encoding: base64\r\n" +
            "\r\n" +
            Convert.ToBase64String(attachment) + "\r\n" +
            "--b1--\r\n";

        await SubmitAsync(daemon, "MAIL FROM:<app@ours.example> BODY=8BITMIME", ["user@strict.test"], Encoding.UTF8.GetBytes(stored));
        await hop.WaitUntilAsync(() => !hop.Messages.IsEmpty, Limit);

        var received = Assert.Single(hop.Messages);
        Assert.False(LineLimit.HasLongLine(received.Data));
        Assert.True(PythonDkimVerifier.Verifies(KeyRecord(data), received.Data), "python3-dkim refused the rewritten message");
        var message = MimeMessage.Load(new MemoryStream(received.Data));
        Assert.Equal(subject, message.Subject);
        var parts = message.BodyParts.OfType<MimePart>().ToList();
        Assert.Equal(3, parts.Count);
        var original = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(stored))).BodyParts.OfType<MimePart>().ToList();
        Assert.Equal(ContentEncoding.QuotedPrintable, parts[0].ContentTransferEncoding);
        Assert.Equal(ContentEncoding.QuotedPrintable, parts[1].ContentTransferEncoding);

        // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1), not to the part.
        Assert.Equal(Encoding.UTF8.GetBytes(longText.TrimEnd('\r', '\n')), Decoded(original[0]));
        Assert.Equal(Decoded(original[0]), Decoded(parts[0]));
        Assert.Equal(Decoded(original[1]), Decoded(parts[1]));
        Assert.Equal(attachment, Decoded(parts[2]));
    }

    [Fact]
    public async Task Smtputf8_mail_of_plain_ascii_and_its_dsn_reach_a_next_hop_without_smtputf8()
    {
        await using var hop = FakeSmtpServer.StartOnLoopback(StrictHop);
        using var data = new TestDirectory();
        await using var daemon = await StartDaemonAsync(data, hop);
        var stored =
            "From: app@ours.example\r\n" +
            "To: user@strict.test, unknown@strict.test\r\n" +
            "Subject: plain ASCII, sent with SMTPUTF8\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Transfer-Encoding: 8bit\r\n" +
            "\r\n" +
            "Grüße: the body may be 8-bit all the same.\r\n";

        await SubmitAsync(daemon, "MAIL FROM:<app@ours.example> SMTPUTF8 BODY=8BITMIME", ["user@strict.test", "unknown@strict.test"], Encoding.UTF8.GetBytes(stored));
        await hop.WaitUntilAsync(() => hop.Messages.Count >= 2, Limit);

        var delivered = Assert.Single(hop.Messages, m => m.Recipients.SequenceEqual(["user@strict.test"]));
        Assert.DoesNotContain("SMTPUTF8", delivered.MailCommand, StringComparison.OrdinalIgnoreCase);
        Assert.True(PythonDkimVerifier.Verifies(KeyRecord(data), delivered.Data), "python3-dkim refused the delivered message");
        var sent = Encoding.UTF8.GetBytes(stored);
        Assert.Equal(sent, delivered.Data[^sent.Length..]);

        var dsn = Assert.Single(hop.Messages, m => m.Recipients.SequenceEqual(["app@ours.example"]));
        Assert.StartsWith("MAIL FROM:<>", dsn.MailCommand, StringComparison.Ordinal);
        Assert.DoesNotContain("SMTPUTF8", dsn.MailCommand, StringComparison.OrdinalIgnoreCase);
        var report = Encoding.UTF8.GetString(dsn.Data);
        Assert.Contains("Final-Recipient: rfc822; unknown@strict.test", report, StringComparison.Ordinal);
        Assert.Contains("550 5.1.1", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recipients_at_three_domains_routed_to_one_strict_hop_get_one_signed_transaction_with_a_long_line_rewritten()
    {
        await using var hop = FakeSmtpServer.StartOnLoopback(StrictHop);
        using var data = new TestDirectory();
        var target = $"127.0.0.1:{hop.EndPoint.Port}";
        await using var daemon = await DaemonProcess.StartAsync(DkimDeliveryTests.SigningDaemon(
            data, $"{{\"one.test\":\"{target}\",\"two.test\":\"{target}\",\"three.test\":\"{target}\",\"ours.example\":\"{target}\"}}"));
        var line = string.Concat(Enumerable.Repeat("0123456789", 200));
        var stored =
            "From: app@ours.example\r\n" +
            "To: a@one.test, b@two.test, c@three.test\r\n" +
            "Subject: one transaction, one long line\r\n" +
            "\r\n" +
            line + "\r\n";

        await SubmitAsync(daemon, "MAIL FROM:<app@ours.example> SMTPUTF8", ["a@one.test", "b@two.test", "c@three.test"], Encoding.ASCII.GetBytes(stored));
        await hop.WaitUntilAsync(() => !hop.Messages.IsEmpty, Limit);

        var delivered = Assert.Single(hop.Messages);
        Assert.Equal(["a@one.test", "b@two.test", "c@three.test"], delivered.Recipients);
        Assert.DoesNotContain("SMTPUTF8", delivered.MailCommand, StringComparison.OrdinalIgnoreCase);
        Assert.True(PythonDkimVerifier.Verifies(KeyRecord(data), delivered.Data), "python3-dkim refused the delivered message");
        var message = MimeMessage.Load(new MemoryStream(delivered.Data));
        Assert.Equal(line, Assert.IsType<TextPart>(message.Body).Text.TrimEnd('\r', '\n'));
    }

    private static Task<DaemonProcess> StartDaemonAsync(TestDirectory data, FakeSmtpServer hop) =>
        DaemonProcess.StartAsync(DkimDeliveryTests.SigningDaemon(
            data, $"{{\"strict.test\":\"127.0.0.1:{hop.EndPoint.Port}\",\"ours.example\":\"127.0.0.1:{hop.EndPoint.Port}\"}}"));

    /// <summary>Submits bytes exactly as given (MailKit as a client would re-encode long lines itself).</summary>
    private static async Task SubmitAsync(DaemonProcess daemon, string mailFrom, string[] recipients, byte[] content)
    {
        await using var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint);
        Assert.StartsWith("220", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.test"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync(mailFrom), StringComparison.Ordinal);
        foreach (var recipient in recipients)
        {
            Assert.StartsWith("250", await client.CommandAsync($"RCPT TO:<{recipient}>"), StringComparison.Ordinal);
        }

        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync(content);
        Assert.StartsWith("250", await client.CommandAsync("."), StringComparison.Ordinal);
        Assert.StartsWith("221", await client.CommandAsync("QUIT"), StringComparison.Ordinal);
    }

    private static string KeyRecord(TestDirectory data) => Path.Combine(data.Path, "dkim-keys", "ours.example", "mail.txt");

    private static byte[] Decoded(MimePart part)
    {
        using var output = new MemoryStream();
        part.Content!.DecodeTo(output);
        return output.ToArray();
    }
}
