using System.Text;
using MailRelay.Delivery.Dsn;
using MailRelay.Queue;
using MailRelay.Tests.Queue;
using MimeKit;

namespace MailRelay.Tests.Delivery.Dsn;

public sealed class DsnBuilderTests : IDisposable
{
    private const string HostName = "relay.example.com";
    private static readonly DateTimeOffset Now = SpoolFixtures.Start.AddHours(2);
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_DSN_is_a_delivery_status_report_from_the_mailer_daemon_to_the_sender()
    {
        var original = await CommitAsync(SpoolFixtures.Envelope("app@example.com", "a@example.net"));

        var dsn = Parse(DsnBuilder.Build(original, [Failed("a@example.net")], HostName, Now));

        Assert.Equal("MAILER-DAEMON@relay.example.com", dsn.From.Mailboxes.Single().Address);
        Assert.Equal("app@example.com", dsn.To.Mailboxes.Single().Address);
        Assert.Equal("auto-replied", dsn.Headers["Auto-Submitted"]);
        Assert.Equal(Now, dsn.Date);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        Assert.Equal(3, report.Count);
        Assert.IsType<TextPart>(report[0]);
        Assert.Contains("<a@example.net>: host mx.example.net said: 550 5.1.1 no such user", ((TextPart)report[0]).Text, StringComparison.Ordinal);
        Assert.IsType<MessageDeliveryStatus>(report[1]);
        var headers = Assert.IsType<TextRfc822Headers>(report[2]);
        Assert.Equal("the subject", headers.Message!.Subject);
    }

    [Fact]
    public async Task The_status_part_has_the_per_message_and_per_recipient_fields()
    {
        var original = await CommitAsync(SpoolFixtures.Envelope("app@example.com", "a@example.net", "b@example.org"));
        var expired = new DsnRecipient("b@example.org", DsnAction.Failed, "4.4.7", null, "451 4.4.1 connection refused", Now);

        var dsn = Parse(DsnBuilder.Build(original, [Failed("a@example.net"), expired], HostName, Now));

        var groups = Groups(dsn);
        Assert.Equal(3, groups.Count);
        Assert.Equal("dns; relay.example.com", groups[0]["Reporting-MTA"]);
        Assert.Equal("Sat, 14 Mar 2026 09:26:53 +0000", groups[0]["Arrival-Date"]);
        Assert.Equal("rfc822; a@example.net", groups[1]["Final-Recipient"]);
        Assert.Equal("failed", groups[1]["Action"]);
        Assert.Equal("5.1.1", groups[1]["Status"]);
        Assert.Equal("dns; mx.example.net", groups[1]["Remote-MTA"]);
        Assert.Equal("smtp; 550 5.1.1 no such user", groups[1]["Diagnostic-Code"]);
        Assert.Equal("Sat, 14 Mar 2026 11:26:53 +0000", groups[1]["Last-Attempt-Date"]);
        Assert.Equal("rfc822; b@example.org", groups[2]["Final-Recipient"]);
        Assert.Equal("4.4.7", groups[2]["Status"]);
        Assert.Null(groups[2]["Remote-MTA"]);
        Assert.Equal("smtp; 451 4.4.1 connection refused", groups[2]["Diagnostic-Code"]);
    }

    [Fact]
    public async Task RET_FULL_returns_the_whole_message_and_ENVID_is_reported()
    {
        var envelope = SpoolFixtures.Envelope("app@example.com", "a@example.net");
        var original = await CommitAsync(new SpoolEnvelope
        {
            Sender = envelope.Sender,
            Recipients = envelope.Recipients,
            Return = DsnReturn.Full,
            EnvelopeId = "order-42",
        });

        var dsn = Parse(DsnBuilder.Build(original, [Failed("a@example.net")], HostName, Now));

        var report = (MultipartReport)dsn.Body!;
        var returned = Assert.IsType<MessagePart>(report[2]);
        Assert.Equal("message/rfc822", returned.ContentType.MimeType);
        Assert.Equal("Hello.", returned.Message!.TextBody!.Trim());
        Assert.Equal("order-42", Groups(dsn)[0]["Original-Envelope-Id"]);
    }

    [Fact]
    public async Task The_DSN_has_CRLF_line_ends_only()
    {
        var original = await CommitAsync(SpoolFixtures.Envelope("app@example.com", "a@example.net"));

        var bytes = DsnBuilder.Build(original, [Failed("a@example.net")], HostName, Now);

        var lineEnds = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                Assert.True(i > 0 && bytes[i - 1] == (byte)'\r', $"bare LF at offset {i}");
                lineEnds++;
            }
            else if (bytes[i] == (byte)'\r')
            {
                Assert.True(i + 1 < bytes.Length && bytes[i + 1] == (byte)'\n', $"bare CR at offset {i}");
            }
        }

        // Headers, three MIME parts and the returned message: dozens of lines, each ended by CRLF.
        Assert.True(lineEnds >= 20, $"only {lineEnds} line ends");
        Assert.Contains("\r\n\r\n", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Its_envelope_has_the_null_sender_and_goes_to_the_original_sender()
    {
        var original = await CommitAsync(SpoolFixtures.Envelope("app@example.com", "a@example.net"));

        var envelope = DsnBuilder.EnvelopeFor(original, [Failed("a@example.net")]);

        Assert.Equal(string.Empty, envelope.Sender);
        Assert.Equal(["app@example.com"], envelope.Recipients);
        Assert.True(DsnWriter.IsOwed(original));
        Assert.False(DsnWriter.IsOwed(await CommitAsync(SpoolFixtures.Envelope(string.Empty, "a@example.net"))));
    }

    [Fact]
    public async Task It_is_plain_ascii_mail_without_smtputf8_unless_it_quotes_a_non_ascii_address()
    {
        var original = await CommitAsync(Utf8Envelope("app@example.com"));

        Assert.False(DsnBuilder.EnvelopeFor(original, [Failed("a@example.net")]).SmtpUtf8);
        Assert.True(DsnBuilder.EnvelopeFor(original, [Failed("jürgen@example.net")]).SmtpUtf8);
        Assert.True(DsnBuilder.EnvelopeFor(original, [Failed("a@example.net") with { OriginalRecipient = "utf-8;jürgen@example.net" }]).SmtpUtf8);
        var fromNonAscii = await CommitAsync(Utf8Envelope("zoë@example.com"));
        Assert.True(DsnBuilder.EnvelopeFor(fromNonAscii, [Failed("a@example.net")]).SmtpUtf8);
    }

    private static SpoolEnvelope Utf8Envelope(string sender) => new()
    {
        Sender = sender,
        Recipients = ["a@example.net"],
        SmtpUtf8 = true,
        ClientAddress = "127.0.0.1",
        HeloName = "client.example.com",
    };

    private static DsnRecipient Failed(string recipient) =>
        new(recipient, DsnAction.Failed, "5.1.1", "mx.example.net", "550 5.1.1 no such user", Now);

    private static MimeMessage Parse(byte[] bytes) => MimeMessage.Load(new MemoryStream(bytes));

    /// <summary>The status groups, without the empty one a parser may see after the trailing blank line.</summary>
    private static List<HeaderList> Groups(MimeMessage dsn) =>
        [.. ((MessageDeliveryStatus)((MultipartReport)dsn.Body!)[1]).StatusGroups.Where(g => g.Count > 0)];

    private async Task<QueueEntry> CommitAsync(SpoolEnvelope envelope)
    {
        // A directory per message: each spool instance owns its data directory.
        var dataDirectory = Path.Combine(_data.Path, Guid.NewGuid().ToString("N"));
        await using var spool = SpoolFixtures.CreateSpool(dataDirectory);
        spool.Initialize();
        var id = await SpoolFixtures.CommitAsync(spool, envelope, SpoolFixtures.Message("the subject"));
        return new QueueReader(dataDirectory).ReadCommitted().Entries.Single(e => e.QueueId == id);
    }
}
