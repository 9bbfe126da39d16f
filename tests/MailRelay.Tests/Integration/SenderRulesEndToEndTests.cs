using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The sender rules, the AUTH sender binding and the header hygiene through the whole daemon: a refused sender
/// never reaches the queue, an allowed one is delivered with the named headers gone before it was signed.
/// </summary>
public sealed class SenderRulesEndToEndTests : IDisposable
{
    private const string Refused550 = "550 5.7.1 From header does not match the envelope sender";

    private readonly TestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task The_daemon_refuses_senders_and_spoofed_from_headers_and_delivers_the_rest_signed_without_stripped_headers()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "relay.test.example",
            ["MAIL_DOMAINS"] = "ours.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sink.EndPoint.Port}\"}}",
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
            ["DKIM_KEY_SIZE"] = "1024",
            ["SENDER_ACCESS_ENABLED"] = "true",
            ["SENDER_FORBIDDEN_FROM"] = "ceo@ours.example",
            ["OUTBOUND_HIDE_CLIENT"] = "true",
            ["OUTBOUND_STRIP_HEADERS"] = "X-Mailer,X-Originating-IP",
        });

        await using (var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint))
        {
            Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
            Assert.StartsWith("250", await client.CommandAsync("EHLO app-7d9f.cluster.internal"), StringComparison.Ordinal);

            Assert.Equal(Refused553("someone@elsewhere.example"), await client.CommandAsync("MAIL FROM:<someone@elsewhere.example>"));
            Assert.Equal(Refused553("ceo@ours.example"), await client.CommandAsync("MAIL FROM:<ceo@ours.example>"));
            Assert.StartsWith("503 ", await client.CommandAsync("RCPT TO:<user@sink.test>"), StringComparison.Ordinal);

            Assert.Equal(Refused550, await SendAsync(client, "app@ours.example", "From: Your Bank <security@bank.example>\r\nSubject: spoofed\r\n"));
            Assert.StartsWith("250 2.0.0 Ok: queued as ", await SendAsync(
                client,
                "app@ours.example",
                "From: App <app@ours.example>\r\nX-Mailer: ACME Mailer 1.0\r\nX-Originating-IP: [10.1.2.3]\r\n\tfolded\r\nSubject: allowed\r\n"), StringComparison.Ordinal);
            Assert.StartsWith("250 2.0.0 Ok: queued as ", await SendAsync(
                client,
                string.Empty,
                "From: Mail Delivery System <MAILER-DAEMON@other.example>\r\nSubject: bounce\r\n"), StringComparison.Ordinal);
            Assert.StartsWith("221 ", await client.CommandAsync("QUIT"), StringComparison.Ordinal);
        }

        await sink.WaitUntilAsync(() => sink.Received.Count >= 2, TimeSpan.FromSeconds(60));
        var subjects = sink.Received.Select(m => RecordingSmtpSink.Text(m.Content)).ToArray();
        Assert.Equal(2, subjects.Length);
        Assert.All(subjects, text => Assert.DoesNotContain("spoofed", text, StringComparison.Ordinal));
        var allowed = Assert.Single(subjects, text => text.Contains("Subject: allowed", StringComparison.Ordinal));
        Assert.StartsWith("DKIM-Signature: ", allowed, StringComparison.Ordinal);
        Assert.Contains("\r\nReceived: by relay.test.example (MailRelay) with ESMTP id ", allowed, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", allowed, StringComparison.Ordinal);
        Assert.DoesNotContain("app-7d9f", allowed, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Mailer", allowed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Originating-IP", allowed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("folded", allowed, StringComparison.Ordinal);
        Assert.Contains("\r\nFrom: App <app@ours.example>\r\nSubject: allowed\r\n", allowed, StringComparison.Ordinal);

        var metrics = await AdminClient.GetAsync(daemon, "/metrics");
        Assert.Contains("mailrelay_smtp_senders_refused_total{reason=\"sender_access\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_senders_refused_total{reason=\"from_header\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("sender refused client=127.0.0.1:", daemon.Output, StringComparison.Ordinal);
        Assert.Contains("from=<ceo@ours.example> reason=sender_access", daemon.Output, StringComparison.Ordinal);
        Assert.Contains("header-from=security@bank.example", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_expression_stops_the_daemon_naming_the_variable()
    {
        var (exitCode, output) = await DaemonProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["DATA_DIR"] = _files.Path,
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "none",
            ["SENDER_ALLOWED_FROM"] = "/^noreply@(/",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("SENDER_ALLOWED_FROM", output, StringComparison.Ordinal);
        Assert.Contains("'/^noreply@(/' is not a valid regular expression", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MailKit_sees_a_spoofed_from_refused_after_data_and_nothing_is_queued_for_it()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["MAIL_DOMAINS"] = "ours.example",
            ["SENDER_ACCESS_ENABLED"] = "true",
        });

        using var client = new SmtpClient();
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);
        var spoofed = Message("security@bank.example");
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync(spoofed, MailboxAddress.Parse("app@ours.example"), [MailboxAddress.Parse("customer@elsewhere.example")]));
        Assert.Equal(SmtpErrorCode.MessageNotAccepted, refused.ErrorCode);
        Assert.Equal(550, (int)refused.StatusCode);
        Assert.Empty(relay.Data.QueuedFiles());

        var elsewhere = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("app@elsewhere.example")));
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, elsewhere.ErrorCode);
        Assert.Equal(553, (int)elsewhere.StatusCode);
        Assert.Empty(relay.Data.QueuedFiles());

        await client.SendAsync(Message("news@mail.ours.example"), MailboxAddress.Parse("app@ours.example"), [MailboxAddress.Parse("customer@elsewhere.example")]);
        await client.DisconnectAsync(quit: true);
        var entry = Assert.Single(new QueueReader(relay.Data.Path).ReadCommitted().Entries);
        Assert.Equal("app@ours.example", entry.Envelope.Sender);
    }

    [Fact]
    public async Task Bdat_chunks_that_split_the_header_section_anywhere_are_checked_and_stripped_alike()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["MAIL_DOMAINS"] = "ours.example",
            ["SENDER_ACCESS_ENABLED"] = "true",
            ["OUTBOUND_STRIP_HEADERS"] = "x-mailer",
        });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.example"), StringComparison.Ordinal);

        Assert.Equal(Refused550, await SendChunkedAsync(client, "security@bank.example"));
        Assert.Empty(relay.Data.QueuedFiles());

        Assert.StartsWith("250 2.0.0 Ok: queued as ", await SendChunkedAsync(client, "app@ours.example"), StringComparison.Ordinal);
        var stored = Assert.Single(relay.Data.QueuedMessages()).Text;
        Assert.Contains("\r\nFrom: app@ours.example\r\nSubject: chunked\r\n\r\nbody\r\n", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Mailer", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_authenticated_address_user_may_send_only_as_itself_its_subdomains_and_its_listed_senders()
    {
        var certificate = new AuthCertificate(_files);
        var users = Path.Combine(_files.Path, "users");
        await File.WriteAllTextAsync(users, "app@ours.example:{PLAIN}app secret\n");
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["TRUSTED_NETWORKS"] = "10.0.0.0/8",
            ["TLS_CERT_FILE"] = certificate.CertificateFile,
            ["TLS_KEY_FILE"] = certificate.KeyFile,
            ["SMTP_AUTH_ENABLED"] = "true",
            ["SMTP_AUTH_USERS_FILE"] = users,
            ["SMTP_AUTH_SENDERS"] = "{\"app@ours.example\": [\"alerts@partner.example\"]}",
        });

        using var client = new SmtpClient
        {
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, presented, _, _) => certificate.IsOurs(presented),
        };
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("app@ours.example", "app secret");

        foreach (var other in new[] { "ceo@ours.example", "app@elsewhere.example" })
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message(other)));
            Assert.Equal(SmtpErrorCode.SenderNotAccepted, refused.ErrorCode);
            Assert.Equal(553, (int)refused.StatusCode);
            Assert.Contains("Sender address rejected", refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(relay.Data.QueuedFiles());
        foreach (var own in new[] { "app@ours.example", "bounces@mail.ours.example", "alerts@partner.example" })
        {
            await client.SendAsync(Message(own));
        }

        await client.DisconnectAsync(quit: true);
        var senders = new QueueReader(relay.Data.Path).ReadCommitted().Entries.Select(e => e.Envelope.Sender).Order();
        Assert.Equal(["alerts@partner.example", "app@ours.example", "bounces@mail.ours.example"], senders);
        Assert.Contains("mailrelay_smtp_senders_refused_total{reason=\"auth_binding\"} 2", await relay.GetAdminAsync("/metrics"), StringComparison.Ordinal);
        Assert.Contains("user=app@ours.example from=<ceo@ours.example> reason=auth_binding", relay.Log, StringComparison.Ordinal);
    }

    private static string Refused553(string sender) =>
        $"553 5.7.1 <{sender}>: Sender address rejected: not allowed to send through this relay";

    private static async Task<string?> SendAsync(RawSmtpClient client, string sender, string headers)
    {
        Assert.StartsWith("250 ", await client.CommandAsync($"MAIL FROM:<{sender}>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<user@sink.test>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync(Encoding.ASCII.GetBytes(headers + "To: user@sink.test\r\n\r\nBody line.\r\n.\r\n"));
        return await client.ReadReplyAsync();
    }

    private static async Task<string?> SendChunkedAsync(RawSmtpClient client, string from)
    {
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<app@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<customer@elsewhere.example>"), StringComparison.Ordinal);
        string[] chunks = ["X-Mai", $"ler: ACME\r\n\tfolded\r\nFr", $"om: {from}\r\nSub", "ject: chunked\r\n\r", "\nbody\r\n"];
        foreach (var chunk in chunks[..^1])
        {
            await client.SendAsync($"BDAT {chunk.Length}\r\n{chunk}");
            Assert.StartsWith("250 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        }

        await client.SendAsync($"BDAT {chunks[^1].Length} LAST\r\n{chunks[^1]}");
        return await client.ReadReplyAsync();
    }

    private static MimeMessage Message(string from)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("customer@elsewhere.example"));
        message.Subject = "notice";
        message.Body = new TextPart("plain") { Text = "A notice." };
        return message;
    }
}
