using System.Net;
using System.Text;
using MailRelay.Delivery;
using MailRelay.Delivery.Transport;
using MailRelay.Queue;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class SmtpDeliveryTransportTests
{
    private const string Domain = "dest.test";

    private static readonly string EightBitMessage =
        "Received: from client.origin.test by relay.origin.test; Tue, 1 Jan 2030 00:00:00 +0000\r\n" +
        "From: =?UTF-8?Q?J=C3=BCrgen?= <header-from@elsewhere.test>\r\n" +
        "To: visible@dest.test\r\n" +
        "Bcc: hidden@dest.test\r\n" +
        "Subject: Grüße aus Köln\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        "Grüße, naïve café — 8-bit text that must not be re-encoded.\r\n" +
        ".a line that starts with a dot\r\n" +
        new string('x', 998) + "\r\n" +
        "trailing spaces   \r\n" +
        "\r\n" +
        "the end\r\n";

    [Fact]
    public async Task Bytes_on_the_wire_equal_the_queue_file_and_the_envelope_comes_from_the_queue()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create(EightBitMessage, "bounce+123@origin.test", MessageBodyType.EightBitMime, recipients: ["a@dest.test", "b@dest.test"]);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test", "b@dest.test"]), CancellationToken.None);

        Assert.All(results, result => Assert.Equal(RecipientOutcome.Delivered, result.Outcome));
        var received = Assert.Single(server.Messages);
        Assert.Equal(file.Content, received.Data);
        Assert.StartsWith("MAIL FROM:<bounce+123@origin.test>", received.MailCommand, StringComparison.Ordinal);
        Assert.Contains("BODY=8BITMIME", received.MailCommand, StringComparison.Ordinal);
        Assert.Equal(["a@dest.test", "b@dest.test"], received.Recipients);
        Assert.Contains("EHLO relay.origin.test", server.Commands);
        Assert.Equal(250, results[0].Reply.Code);
        Assert.Equal(server.EndPoint, results[0].RemoteEndPoint);
        Assert.Equal("127.0.0.1", results[0].RemoteHost);
    }

    [Fact]
    public async Task DSN_parameters_go_to_a_next_hop_that_offers_DSN()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Extensions = ["DSN", "8BITMIME"] });
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: dsn\r\n\r\nbody\r\n", new SpoolEnvelope
        {
            Sender = "app@origin.test",
            Recipients = ["a@dest.test", "b@dest.test", "c@dest.test"],
            EnvelopeId = "QID+2B1",
            Return = DsnReturn.Headers,
            RecipientDsn = new Dictionary<string, RecipientDsnOptions>
            {
                ["a@dest.test"] = new(DsnNotify.Success | DsnNotify.Failure, null),
                ["b@dest.test"] = new(DsnNotify.Never, null),
            },
        });

        await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test", "b@dest.test", "c@dest.test"]), CancellationToken.None);

        var commands = server.Commands.ToList();
        var mail = Assert.Single(commands, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal));
        Assert.Contains(" RET=HDRS", mail, StringComparison.Ordinal);
        Assert.Contains(" ENVID=QID+2B1", mail, StringComparison.Ordinal);
        Assert.Contains(commands, c => c.StartsWith("RCPT TO:<a@dest.test> NOTIFY=SUCCESS,FAILURE", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.StartsWith("RCPT TO:<b@dest.test> NOTIFY=NEVER", StringComparison.Ordinal));
        Assert.Contains("RCPT TO:<c@dest.test>", commands);
    }

    [Fact]
    public async Task A_null_sender_is_sent_as_an_empty_reverse_path()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: bounce\r\n\r\nbody\r\n", sender: string.Empty);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["someone@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        Assert.StartsWith("MAIL FROM:<>", Assert.Single(server.Messages).MailCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_recipient_gets_the_outcome_of_its_own_rcpt_reply()
    {
        var behaviour = new FakeSmtpBehaviour
        {
            RecipientReply = address => address switch
            {
                "busy@dest.test" => "450 4.2.1 Mailbox busy, try later",
                "gone@dest.test" => "550 5.1.1 No such user",
                _ => "250 2.1.5 Ok",
            },
        };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        var results = await transport.DeliverAsync(
            new DeliveryRequest(file.Entry, Domain, ["ok@dest.test", "busy@dest.test", "gone@dest.test"]), CancellationToken.None);

        Assert.Equal([RecipientOutcome.Delivered, RecipientOutcome.Deferred, RecipientOutcome.Failed], results.Select(r => r.Outcome));
        Assert.Equal(new RemoteReply(450, "4.2.1", "Mailbox busy, try later"), results[1].Reply);
        Assert.Equal(new RemoteReply(550, "5.1.1", "No such user"), results[2].Reply);
        Assert.Equal(["ok@dest.test"], Assert.Single(server.Messages).Recipients);
    }

    [Fact]
    public async Task A_recipient_address_that_cannot_be_written_fails_alone()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["ok@dest.test", "bad@@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, results[0].Outcome);
        Assert.Equal(RecipientOutcome.Failed, results[1].Outcome);
        Assert.Equal("5.1.3", results[1].Reply.EnhancedCode);
        Assert.Equal(["ok@dest.test"], Assert.Single(server.Messages).Recipients);
    }

    [Fact]
    public async Task A_refusal_after_the_data_applies_to_the_accepted_recipients_only()
    {
        var behaviour = new FakeSmtpBehaviour
        {
            RecipientReply = address => address == "gone@dest.test" ? "550 5.1.1 No such user" : "250 2.1.5 Ok",
            DataReply = "554 5.7.1 Message rejected as spam",
        };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        var results = await transport.DeliverAsync(
            new DeliveryRequest(file.Entry, Domain, ["a@dest.test", "gone@dest.test", "b@dest.test"]), CancellationToken.None);

        Assert.Equal(new RemoteReply(554, "5.7.1", "Message rejected as spam"), results[0].Reply);
        Assert.Equal(new RemoteReply(550, "5.1.1", "No such user"), results[1].Reply);
        Assert.Equal(new RemoteReply(554, "5.7.1", "Message rejected as spam"), results[2].Reply);
        Assert.All(results, result => Assert.Equal(RecipientOutcome.Failed, result.Outcome));
    }

    [Fact]
    public async Task A_connection_lost_during_the_transaction_defers_every_recipient()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { DropAfterData = true });
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test", "b@dest.test"]), CancellationToken.None);

        Assert.All(results, result =>
        {
            Assert.Equal(RecipientOutcome.Deferred, result.Outcome);
            Assert.Equal("4.4.2", result.Reply.EnhancedCode);
        });
        Assert.Equal(0, transport.Pool.Count);
    }

    [Fact]
    public async Task A_message_larger_than_the_remote_size_fails_without_being_sent()
    {
        var behaviour = new FakeSmtpBehaviour { Extensions = ["8BITMIME", "SIZE 100"] };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create("Subject: big\r\n\r\n" + new string('y', 500) + "\r\n");

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test", "b@dest.test"]), CancellationToken.None);

        Assert.All(results, result =>
        {
            Assert.Equal(RecipientOutcome.Failed, result.Outcome);
            Assert.Equal(552, result.Reply.Code);
            Assert.Equal("5.3.4", result.Reply.EnhancedCode);
        });
        Assert.DoesNotContain(server.Commands, command => command.StartsWith("MAIL", StringComparison.Ordinal) || command == "DATA");
    }

    [Fact]
    public async Task An_8bit_message_to_a_host_without_8bitmime_fails_instead_of_being_converted()
    {
        var behaviour = new FakeSmtpBehaviour { Extensions = ["SIZE 10485760"] };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create(EightBitMessage, body: MessageBodyType.EightBitMime);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Failed, result.Outcome);
        Assert.Equal("5.6.3", result.Reply.EnhancedCode);
        Assert.DoesNotContain("DATA", server.Commands);
        Assert.Empty(server.Messages);
    }

    [Theory]
    [InlineData("Subject: hi\r\n\r\nbody\r\n", "jürgen@origin.test")]
    [InlineData("Subject: Grüße\r\n\r\nbody\r\n", "app@origin.test")]
    public async Task An_smtputf8_message_that_really_holds_non_ascii_fails_at_a_host_without_smtputf8(string content, string sender)
    {
        var behaviour = new FakeSmtpBehaviour { Extensions = ["8BITMIME"] };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create(content, sender: sender, body: MessageBodyType.EightBitMime, smtpUtf8: true);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Failed, result.Outcome);
        Assert.Equal("5.6.7", result.Reply.EnhancedCode);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task An_smtputf8_flagged_message_of_plain_ascii_goes_to_a_host_without_smtputf8_unchanged()
    {
        var behaviour = new FakeSmtpBehaviour { Extensions = ["8BITMIME"] };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create(
            "Subject: hi\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße: the body may be 8-bit\r\n",
            sender: "app@origin.test", body: MessageBodyType.EightBitMime, smtpUtf8: true);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        var received = Assert.Single(server.Messages);
        Assert.Equal(file.Content, received.Data);
        Assert.DoesNotContain("SMTPUTF8", received.MailCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_ascii_headers_of_an_attached_message_are_body_content_and_need_no_smtputf8()
    {
        var behaviour = new FakeSmtpBehaviour { Extensions = ["8BITMIME"] };
        await using var server = FakeSmtpServer.StartOnLoopback(behaviour);
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        var report =
            "From: MAILER-DAEMON@relay.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n" +
            "--r\r\nContent-Type: text/plain\r\n\r\nnot delivered\r\n" +
            "--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: app@origin.test\r\nSubject: Grüße aus Köln\r\n\r\n" +
            "--r--\r\n";
        using var file = TestQueueFile.Create(report, sender: string.Empty, body: MessageBodyType.EightBitMime, smtpUtf8: true);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        Assert.DoesNotContain("SMTPUTF8", Assert.Single(server.Messages).MailCommand, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Subject: Grüße\r\n\r\nbody\r\n", "app@origin.test", "a@dest.test")]
    [InlineData("Subject: hi\r\n\r\nbody\r\n", "app@origin.test", "jürgen@dest.test")]
    public async Task A_message_that_needs_smtputf8_is_sent_with_it(string content, string sender, string recipient)
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var file = TestQueueFile.Create(content, sender: sender, body: MessageBodyType.EightBitMime, smtpUtf8: true, recipients: [recipient]);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, [recipient]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        var received = Assert.Single(server.Messages);
        Assert.Contains("SMTPUTF8", received.MailCommand, StringComparison.Ordinal);
        Assert.Equal(file.Content, received.Data);
    }

    [Fact]
    public async Task Two_messages_to_the_same_host_share_one_connection_with_rset_between()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        using var first = TestQueueFile.Create("Subject: one\r\n\r\nfirst\r\n");
        using var second = TestQueueFile.Create("Subject: two\r\n\r\nsecond\r\n");

        var one = await transport.DeliverAsync(new DeliveryRequest(first.Entry, Domain, ["a@dest.test"]), CancellationToken.None);
        var two = await transport.DeliverAsync(new DeliveryRequest(second.Entry, Domain, ["b@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(one).Outcome);
        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(two).Outcome);
        Assert.Equal(1, server.Connections);
        Assert.Equal(2, server.Messages.Count);
        Assert.Contains("RSET", server.Commands);
    }

    [Fact]
    public async Task Connection_refused_defers_with_a_local_reply_naming_the_host()
    {
        // Bind and release a port so that nothing listens on it.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, endPoint));
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Deferred, result.Outcome);
        Assert.Equal($"451 4.4.1 connect to 127.0.0.1[127.0.0.1]:{endPoint.Port}: Connection refused", result.Reply.ToString());
    }

    [Fact]
    public async Task A_signer_header_is_sent_in_front_of_the_unchanged_message()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var signer = new PrefixSigner("DKIM-Signature: v=1; a=rsa-sha256; d=origin.test;\r\n\tb=c2lnbmF0dXJl\r\n");
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint), signer: signer);
        using var file = TestQueueFile.Create(EightBitMessage, body: MessageBodyType.EightBitMime);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        Assert.Equal([.. Encoding.ASCII.GetBytes(signer.Header), .. file.Content], Assert.Single(server.Messages).Data);
        Assert.Equal(file.Content, signer.SeenContent);
    }

    [Fact]
    public async Task A_message_with_an_over_long_line_is_rewritten_before_signing_and_its_text_is_unchanged()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var signer = new PrefixSigner("DKIM-Signature: v=1; a=rsa-sha256; d=origin.test;\r\n\tb=c2lnbmF0dXJl\r\n");
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint), signer: signer);
        var longMessage = EightBitMessage.Replace(new string('x', 998), new string('x', 2500), StringComparison.Ordinal);
        using var file = TestQueueFile.Create(longMessage, body: MessageBodyType.EightBitMime);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        var data = Assert.Single(server.Messages).Data;
        Assert.False(LineLimit.HasLongLine(data));
        Assert.Equal([.. Encoding.ASCII.GetBytes(signer.Header), .. signer.SeenContent!], data);
        var sent = MimeKit.MimeMessage.Load(new MemoryStream(signer.SeenContent!));
        var stored = MimeKit.MimeMessage.Load(new MemoryStream(file.Content));
        Assert.Equal(MimeKit.ContentEncoding.QuotedPrintable, ((MimeKit.TextPart)sent.Body!).ContentTransferEncoding);
        Assert.Equal(stored.TextBody, sent.TextBody);
        Assert.Equal(stored.Subject, sent.Subject);
    }

    [Fact]
    public async Task A_large_message_streamed_from_its_file_is_rewritten_when_a_line_is_over_the_limit()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Extensions = ["8BITMIME", "SIZE 10485760"], Strict = true });
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo(Domain, server.EndPoint));
        var filler = string.Concat(Enumerable.Repeat(new string('f', 76) + "\r\n", 1200));
        var body = filler + new string('z', 1500) + "\r\n" + filler;
        using var file = TestQueueFile.Create("Subject: big\r\n\r\n" + body, body: MessageBodyType.SevenBit);
        Assert.True(file.Content.Length > LoadedMessage.InMemoryLimit);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        var sent = MimeKit.MimeMessage.Load(new MemoryStream(Assert.Single(server.Messages).Data));
        using var decoded = new MemoryStream();
        ((MimeKit.MimePart)sent.Body!).Content!.DecodeTo(decoded);
        Assert.Equal(Encoding.ASCII.GetBytes(body), decoded.ToArray());
    }

    private sealed class PrefixSigner(string header) : IMessageSigner
    {
        public string Header => header;

        public byte[]? SeenContent { get; private set; }

        public async ValueTask<string?> CreateSignatureHeaderAsync(Stream message, QueueEntry entry, CancellationToken cancellationToken)
        {
            using var copy = new MemoryStream();
            await message.CopyToAsync(copy, cancellationToken);
            SeenContent = copy.ToArray();
            return header;
        }
    }
}
