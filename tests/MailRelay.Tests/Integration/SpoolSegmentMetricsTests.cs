using MailRelay.Tests.Delivery.Transport;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The spool's segment metrics on /metrics: the group commits (one fdatasync per message sent alone), the segment files
/// held, and the messages copied forward into queue files of their own when they are deferred, as the queue shows them.
/// </summary>
public sealed class SpoolSegmentMetricsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Segments_commit_batches_and_copied_forward_messages_follow_the_queue()
    {
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { RecipientReply = _ => "451 4.7.1 Try again later" });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = await InProcessRelay.StartAsync(
            new Dictionary<string, string?>
            {
                ["DELIVERY_ROUTES"] = $"{{\"dest.test\":\"127.0.0.1:{destination.EndPoint.Port}\"}}",
                ["RETRY_SCHEDULE"] = "1h",
                ["DKIM_ENABLED"] = "false",
            },
            timeProvider: time);

        await EndToEndMail.SubmitAsync(relay, "app@ours.example", "first", "a@dest.test");
        await EndToEndMail.SubmitAsync(relay, "app@ours.example", "second", "b@dest.test");
        await WaitForAsync(relay, _ => destination.Commands.Count(c => c.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase)) >= 2);

        // Each deferred message moves to a queue file of its own as its deferral is recorded: it will stay. The segment
        // they were committed to is the one being appended to, and stays.
        var moved = await WaitForAsync(relay, s => s["mailrelay_spool_copied_forward_messages"] == 2);
        Assert.Equal(2, moved["mailrelay_spool_commit_batches"]);
        Assert.Equal(1, moved["mailrelay_spool_segments"]);
        Assert.Equal(2, relay.Data.QueuedFiles().Count(f => f.EndsWith(".msg", StringComparison.Ordinal)));
        Assert.Equal(2, relay.Data.QueuedMessages().Length);

        // Nothing is left in the segment to retire later: the clock moving on copies nothing more.
        time.Advance(TimeSpan.FromMinutes(2));
        var later = await MetricsAsync(relay);
        Assert.Equal(2, later["mailrelay_spool_copied_forward_messages"]);
        Assert.Equal(1, later["mailrelay_spool_segments"]);
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(InProcessRelay relay) =>
        MetricSample.ParseAll(await relay.GetAdminAsync("/metrics"))
            .Where(s => s.Name.StartsWith("mailrelay_spool_", StringComparison.Ordinal) && s.Labels.Count == 0)
            .ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);

    /// <summary>Scrapes until <paramref name="done"/> holds (the retirement runs on its own thread after the clock moves).</summary>
    private static async Task<Dictionary<string, double>> WaitForAsync(InProcessRelay relay, Func<Dictionary<string, double>, bool> done)
    {
        using var deadline = new CancellationTokenSource(Limit);
        while (true)
        {
            var samples = await MetricsAsync(relay);
            if (done(samples))
            {
                return samples;
            }

            await Task.Delay(50, deadline.Token);
        }
    }
}
