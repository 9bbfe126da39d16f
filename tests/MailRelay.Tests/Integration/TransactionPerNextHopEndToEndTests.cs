using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MailRelay.Tests.Delivery.Transport;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The whole relay against recording next hops: a message's recipients that share a next hop (the smarthost, one
/// DELIVERY_ROUTES destination) arrive in one transaction, up to DELIVERY_RECIPIENT_LIMIT, each with its own outcome;
/// other next hops get transactions of their own.
/// </summary>
public sealed class TransactionPerNextHopEndToEndTests
{
    private const string Sender = "app@ours.example";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_message_to_three_domains_via_one_smarthost_arrives_as_one_transaction_with_three_RCPTs()
    {
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(smarthost, senderHost);

        await EndToEndMail.SubmitAsync(relay, Sender, "three domains", "a@one.test", "b@two.test", "c@three.test");
        await EndToEndMail.WaitForEmptyQueueAsync(relay, Limit);

        var transaction = Assert.Single(smarthost.Messages);
        Assert.Equal(["a@one.test", "b@two.test", "c@three.test"], transaction.Recipients);
        Assert.Single(smarthost.Commands, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal));
        Assert.Equal(3, smarthost.Commands.Count(c => c.StartsWith("RCPT TO:", StringComparison.Ordinal)));
        Assert.Empty(senderHost.Messages);
    }

    [Fact]
    public async Task Recipients_over_the_limit_are_split_into_several_transactions_each_recipient_once()
    {
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(smarthost, senderHost, ("DELIVERY_RECIPIENT_LIMIT", "2"));
        string[] recipients = ["r1@one.test", "r2@two.test", "r3@three.test", "r4@one.test", "r5@two.test"];

        await EndToEndMail.SubmitAsync(relay, Sender, "over the limit", recipients);
        await EndToEndMail.WaitForEmptyQueueAsync(relay, Limit);

        var transactions = smarthost.Messages.Select(m => m.Recipients.ToArray()).OrderBy(r => r[0], StringComparer.Ordinal).ToList();
        Assert.Equal([["r1@one.test", "r2@two.test"], ["r3@three.test", "r4@one.test"], ["r5@two.test"]], transactions);
        Assert.Equal(recipients.Length, smarthost.Commands.Count(c => c.StartsWith("RCPT TO:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_550_a_451_and_a_250_in_one_transaction_give_one_DSN_one_retry_and_no_resend_to_the_accepted()
    {
        var rcpts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address => (address, rcpts.AddOrUpdate(address, 1, (_, n) => n + 1)) switch
            {
                ("gone@one.test", _) => "550 5.1.1 No such user here",
                ("later@two.test", 1) => "451 4.3.0 Try again later",
                _ => "250 2.1.5 Ok",
            },
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(smarthost, senderHost);

        await EndToEndMail.SubmitAsync(relay, Sender, "mixed", "gone@one.test", "later@two.test", "ok@three.test");
        await EndToEndMail.WaitForEmptyQueueAsync(relay, Limit);

        var rcptLines = smarthost.Commands.Where(c => c.StartsWith("RCPT TO:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["RCPT TO:<gone@one.test>", "RCPT TO:<later@two.test>", "RCPT TO:<ok@three.test>", "RCPT TO:<later@two.test>"], rcptLines);
        Assert.Equal([["ok@three.test"], ["later@two.test"]], smarthost.Messages.Select(m => m.Recipients.ToArray()));

        var dsn = Assert.Single(senderHost.Messages);
        Assert.Equal([Sender], dsn.Recipients);
        var report = Encoding.UTF8.GetString(dsn.Data);
        Assert.Contains("Final-Recipient: rfc822; gone@one.test", report, StringComparison.Ordinal);
        Assert.Contains("550 5.1.1 No such user here", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Final-Recipient: rfc822; later@two.test", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Final-Recipient: rfc822; ok@three.test", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Different_next_hops_get_separate_transactions()
    {
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var routed = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(smarthost, senderHost, ("DELIVERY_ROUTES", Routes(senderHost, ("routed.test", routed), ("also-routed.test", routed))));

        await EndToEndMail.SubmitAsync(relay, Sender, "two next hops", "a@one.test", "b@routed.test", "c@two.test", "d@also-routed.test");
        await EndToEndMail.WaitForEmptyQueueAsync(relay, Limit);

        Assert.Equal(["a@one.test", "c@two.test"], Assert.Single(smarthost.Messages).Recipients);
        Assert.Equal(["b@routed.test", "d@also-routed.test"], Assert.Single(routed.Messages).Recipients);
    }

    [Fact]
    public async Task Under_a_rate_of_one_message_an_hour_a_transaction_to_one_provider_takes_one_send_slot()
    {
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(
            smarthost, senderHost, ("RATE_LIMIT_ENABLED", "true"), ("RATE_LIMIT_GLOBAL", """{"rate":"1/1h"}"""));

        // gmail.com and googlemail.com are both Google's: one pacing scope, so one transaction and one send of the hour.
        await EndToEndMail.SubmitAsync(relay, Sender, "paced", "a@gmail.com", "b@googlemail.com");
        await EndToEndMail.WaitForEmptyQueueAsync(relay, Limit);

        Assert.Equal(["a@gmail.com", "b@googlemail.com"], Assert.Single(smarthost.Messages).Recipients);
    }

    private static Task<InProcessRelay> StartRelayAsync(FakeSmtpServer smarthost, FakeSmtpServer senderHost, params (string Name, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RELAY_HOST"] = "127.0.0.1",
            ["RELAY_PORT"] = smarthost.EndPoint.Port.ToString(CultureInfo.InvariantCulture),
            ["RELAY_TLS"] = "none",
            ["DELIVERY_ROUTES"] = Routes(senderHost),
            ["RETRY_SCHEDULE"] = "2s",
            ["QUEUE_LIFETIME"] = "1h",
            ["DKIM_ENABLED"] = "false",
        };
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }

        return InProcessRelay.StartAsync(settings);
    }

    /// <summary>DELIVERY_ROUTES: the sender's domain (for DSNs) to <paramref name="senderHost"/>, and the routes given.</summary>
    private static string Routes(FakeSmtpServer senderHost, params (string Domain, FakeSmtpServer Server)[] routes) =>
        "{" + string.Join(',', routes.Prepend((Domain: "ours.example", Server: senderHost)).Select(r => $"\"{r.Domain}\":\"127.0.0.1:{r.Server.EndPoint.Port}\"")) + "}";
}
