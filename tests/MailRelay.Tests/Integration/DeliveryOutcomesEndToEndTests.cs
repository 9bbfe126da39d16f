using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MailRelay.Tests.Delivery.Transport;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The whole relay (listener, spool, scheduler, SMTP transport) against real SMTP next hops on loopback that
/// answer each recipient in their own way: a refusal ends in one DSN to the sender, a 451 is retried on the
/// schedule and delivered once, an accepted recipient is delivered once, and mail still deferred when its
/// lifetime ends bounces.
/// </summary>
public sealed class DeliveryOutcomesEndToEndTests
{
    private const string Sender = "app@ours.example";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Refused_deferred_and_accepted_recipients_end_in_one_DSN_one_retry_on_schedule_and_one_delivery_each()
    {
        var rcptTimes = new ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address =>
            {
                var times = rcptTimes.GetOrAdd(address, _ => new ConcurrentQueue<TimeSpan>());
                times.Enqueue(clock.Elapsed);
                return address switch
                {
                    "gone@dest.test" => "550 5.1.1 No such user here",
                    "later@dest.test" when times.Count == 1 => "451 4.3.0 Try again later",
                    _ => "250 2.1.5 Ok",
                };
            },
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(destination, senderHost, queueLifetime: "1h");

        await SubmitAsync(relay, "ok@dest.test", "later@dest.test", "gone@dest.test");
        await destination.WaitUntilAsync(() => destination.Messages.Count >= 2, Limit);
        await senderHost.WaitUntilAsync(() => !senderHost.Messages.IsEmpty, Limit);
        await WaitForEmptyQueueAsync(relay);

        var delivered = destination.Messages.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(["later@dest.test", "ok@dest.test"], delivered.Order(StringComparer.Ordinal));
        var laterAttempts = rcptTimes["later@dest.test"].ToArray();
        Assert.Equal(2, laterAttempts.Length);
        Assert.True(
            laterAttempts[1] - laterAttempts[0] >= Retry * 0.9,
            $"retried after {laterAttempts[1] - laterAttempts[0]}, before the schedule's {Retry} less its 10% jitter");
        Assert.Single(rcptTimes["gone@dest.test"]);

        var dsn = Assert.Single(senderHost.Messages);
        Assert.StartsWith("MAIL FROM:<>", dsn.MailCommand, StringComparison.Ordinal);
        Assert.Equal([Sender], dsn.Recipients);
        var report = Encoding.UTF8.GetString(dsn.Data);
        Assert.Contains("multipart/report", report, StringComparison.Ordinal);
        Assert.Contains("Final-Recipient: rfc822; gone@dest.test", report, StringComparison.Ordinal);
        Assert.Contains("550 5.1.1 No such user here", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Final-Recipient: rfc822; ok@dest.test", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Final-Recipient: rfc822; later@dest.test", report, StringComparison.Ordinal);
        Assert.Contains("status=deferred", relay.Log, StringComparison.Ordinal);
        Assert.Contains("status=bounced", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_still_deferred_when_its_lifetime_ends_bounces_to_its_sender()
    {
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = _ => "451 4.3.0 Try again later",
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var relay = await StartRelayAsync(destination, senderHost, queueLifetime: "3s");

        await SubmitAsync(relay, "stuck@dest.test");
        await senderHost.WaitUntilAsync(() => !senderHost.Messages.IsEmpty, Limit);
        await WaitForEmptyQueueAsync(relay);

        Assert.Empty(destination.Messages);
        var dsn = Assert.Single(senderHost.Messages);
        Assert.Equal([Sender], dsn.Recipients);
        var report = Encoding.UTF8.GetString(dsn.Data);
        Assert.Contains("Final-Recipient: rfc822; stuck@dest.test", report, StringComparison.Ordinal);
        Assert.Contains("Status: 4.4.7", report, StringComparison.Ordinal);
        Assert.Contains("451 4.3.0 Try again later", report, StringComparison.Ordinal);
    }

    private static Task<InProcessRelay> StartRelayAsync(FakeSmtpServer destination, FakeSmtpServer senderHost, string queueLifetime) =>
        InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["DELIVERY_ROUTES"] =
                $"{{\"dest.test\":\"127.0.0.1:{destination.EndPoint.Port}\",\"ours.example\":\"127.0.0.1:{senderHost.EndPoint.Port}\"}}",
            ["RETRY_SCHEDULE"] = $"{Retry.TotalSeconds}s",
            ["QUEUE_LIFETIME"] = queueLifetime,
            ["DKIM_ENABLED"] = "false",
        });

    private static Task SubmitAsync(InProcessRelay relay, params string[] recipients) =>
        EndToEndMail.SubmitAsync(relay, Sender, "outcomes", recipients);

    private static Task WaitForEmptyQueueAsync(InProcessRelay relay) => EndToEndMail.WaitForEmptyQueueAsync(relay, Limit);
}
