using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Smtp.Session;
using MailRelay.Smtp.Tests.Session;
using MimeKit;

namespace MailRelay.Smtp.Tests.Hosting;

/// <summary>MailKit, an independent client, over real loopback sockets to Kestrel hosting the engine.</summary>
public class KestrelSmtpIntegrationTests
{
    [Fact]
    public async Task MailKit_messages_arrive_byte_identical()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpServerOptions { HostName = "mx.test" });
        var transcript = new MemoryStream();
        using var client = new SmtpClient(new ProtocolLogger(transcript, leaveOpen: true));
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.UTF8));

        var plain = Message("plain@example.org", ["one@example.net"], "Plain", new TextPart("plain") { Text = "Hello.\r\n.leading dot\r\n..two dots\r\n" });
        var eightBit = Message(
            "sender@example.org", ["a@example.net", "b@example.net", "c@example.net"], "8-bit",
            new TextPart("plain") { Text = "Grüße aus Köln – ½ €\r\n", ContentTransferEncoding = ContentEncoding.EightBit });
        var international = Message("jörg@exämple.org", ["zoë@example.net"], "Ünïcödé", new TextPart("plain") { Text = "Ça va ?\r\n" });
        var longLine = Message("long@example.org", ["one@example.net"], "Long", new TextPart("plain") { Text = new string('z', 5000) + "\r\n" });

        var sent = new List<(MimeMessage Message, FormatOptions Format)>();
        foreach (var message in new[] { plain, eightBit, international, longLine })
        {
            var format = FormatOptions.Default.Clone();
            format.NewLineFormat = NewLineFormat.Dos;
            format.International = message == international;
            await client.SendAsync(format, message);
            sent.Add((message, format));
        }

        await client.DisconnectAsync(true);
        await server.Handler.FirstSessionEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var received = server.Handler.Completed.ToList();
        Assert.Equal(4, received.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            using var expected = new MemoryStream();
            await sent[i].Message.WriteToAsync(sent[i].Format, expected);
            Assert.Equal(expected.ToArray(), received[i].Content);
        }

        Assert.Equal(["a@example.net", "b@example.net", "c@example.net"], received[1].RecipientsAtCompletion);
        Assert.Equal(BodyType.EightBitMime, received[1].Transaction.Body);
        Assert.True(received[2].Transaction.SmtpUtf8);
        Assert.Equal("jörg@exämple.org", received[2].Transaction.ReversePath);
        Assert.Equal(["zoë@example.net"], received[2].RecipientsAtCompletion);

        var log = Encoding.UTF8.GetString(transcript.ToArray());
        // MailKit pipelines the envelope: all three RCPTs go out before the MAIL reply is read.
        var mail = log.IndexOf("C: MAIL FROM:<sender@example.org>", StringComparison.Ordinal);
        var lastRcpt = log.IndexOf("C: RCPT TO:<c@example.net>", StringComparison.Ordinal);
        var mailReply = log.IndexOf("S: 250 2.1.0", mail, StringComparison.Ordinal);
        Assert.True(mail >= 0 && lastRcpt > mail && lastRcpt < mailReply, log);
        Assert.Contains("C: DATA", log, StringComparison.Ordinal);
        var summary = Assert.Single(server.Handler.Summaries);
        Assert.Equal((SessionOutcome.Quit, 4), (summary.Outcome, summary.MessagesAccepted));
    }

    [Fact]
    public async Task MailKit_sends_over_STARTTLS()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        await using var server = await SmtpTestServer.StartAsync(new SmtpServerOptions { HostName = "mx.test", Certificate = certificate });
        using var client = new SmtpClient
        {
            ServerCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
        };

        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        await client.SendAsync(Message("a@example.org", ["b@example.net"], "Secure", new TextPart("plain") { Text = "over TLS\r\n" }));
        await client.DisconnectAsync(true);
        await server.Handler.FirstSessionEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var message = Assert.Single(server.Handler.Completed);
        Assert.Contains("over TLS", message.Text, StringComparison.Ordinal);
        Assert.True(Assert.Single(server.Handler.EndedSessions).IsSecure);
    }

    [Fact]
    public async Task Host_shutdown_sends_421_to_an_idle_session()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpServerOptions { HostName = "mx.test" });
        using var socket = new TcpClient();
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Port);
        using var reader = new StreamReader(socket.GetStream(), Encoding.ASCII);
        Assert.StartsWith("220 ", await reader.ReadLineAsync(), StringComparison.Ordinal);

        var stopping = server.StopAsync();

        Assert.Equal("421 4.3.2 mx.test Service shutting down", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SessionOutcome.ServerShutdown, Assert.Single(server.Handler.Summaries).Outcome);
        Assert.Equal("127.0.0.1", Assert.Single(server.Handler.EndedSessions).RemoteAddress?.ToString());
    }

    private static MimeMessage Message(string from, string[] to, string subject, MimeEntity body)
    {
        var message = new MimeMessage { Subject = subject, Body = body };
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in to)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        return message;
    }
}
