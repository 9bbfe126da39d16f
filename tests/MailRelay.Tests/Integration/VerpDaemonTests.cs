using System.Text.RegularExpressions;
using MailRelay.Bounces;
using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The daemon as a process under BOUNCE_VERP_ENABLED: each recipient of a message arrives at the next hop in a
/// transaction of its own, with a return path that verifies to the message's queue id and that recipient, in the
/// sender's domain when it is one of MAIL_DOMAINS, else MAIL_HOSTNAME's. Without it nothing changes.
/// </summary>
public sealed class VerpDaemonTests
{
    private const string Secret = "verp-daemon-test-secret-0123456789abcdef";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly string[] Recipients = ["a@sink.test", "b@sink.test", "c@sink.test"];

    [Fact]
    public async Task With_VERP_each_recipient_arrives_alone_with_a_return_path_naming_its_queue_id_and_recipient()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, sink, verp: true));

        var queueId = await SubmitAsync(daemon, "app@ours.example", Recipients);
        await sink.WaitUntilAsync(() => sink.Received.Count >= Recipients.Length, Limit);

        var transactions = sink.Received.ToList();
        Assert.Equal(Recipients, transactions.Select(t => Assert.Single(t.Recipients)).Order(StringComparer.Ordinal));
        var verifier = new BounceAddressVerifier(Secret, TimeSpan.FromDays(7), new VerpRecipientMap(data.Path, TimeSpan.FromDays(7), new PosixDiskSync()));
        foreach (var (sender, recipients, _) in transactions)
        {
            Assert.Matches(ReturnPathPattern("ours.example"), sender);
            var check = verifier.Verify(sender, DateTimeOffset.UtcNow);
            Assert.Equal(BounceAddressStatus.Valid, check.Status);
            Assert.Equal(queueId, check.QueueId);
            Assert.Equal(recipients[0], check.Recipient);
        }

        Assert.Equal(Recipients.Length, transactions.Select(t => t.Sender).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task With_VERP_a_sender_outside_MAIL_DOMAINS_gets_a_return_path_at_MAIL_HOSTNAME()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, sink, verp: true));

        await SubmitAsync(daemon, "app@elsewhere.test", "a@sink.test");
        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, Limit);

        Assert.Matches(ReturnPathPattern("relay.test.example"), Assert.Single(sink.Received).Sender);
    }

    [Fact]
    public async Task Without_VERP_the_recipients_share_one_transaction_with_the_envelope_sender()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, sink, verp: false));

        await SubmitAsync(daemon, "app@ours.example", Recipients);
        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, Limit);

        var (sender, recipients, _) = Assert.Single(sink.Received);
        Assert.Equal("app@ours.example", sender);
        Assert.Equal(Recipients, recipients);
        Assert.False(Directory.Exists(Path.Combine(data.Path, VerpRecipientMap.DirectoryName)));
    }

    private static Dictionary<string, string> Environment(TestDirectory data, RecordingSmtpSink sink, bool verp) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["MAIL_DOMAINS"] = "ours.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sink.EndPoint.Port}\"}}",
        ["DKIM_ENABLED"] = "false",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["BOUNCE_VERP_ENABLED"] = verp ? "true" : "false",
        ["BOUNCE_HMAC_SECRET"] = Secret,
    };

    private static string ReturnPathPattern(string domain) => "^bounce\\+[0-9a-z]{44}@" + Regex.Escape(domain) + "$";

    private static async Task<string> SubmitAsync(DaemonProcess daemon, string sender, params string[] recipients)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(sender));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = "return path";
        message.Body = new TextPart("plain") { Text = "where do the bounces go\r\n" };
        return await daemon.SubmitAsync(message);
    }

}
