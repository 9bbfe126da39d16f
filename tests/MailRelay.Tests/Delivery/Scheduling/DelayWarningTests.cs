using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>DELAY_WARNING_TIME: one "delayed" DSN per recipient once a deferred message is old enough.</summary>
public sealed class DelayWarningTests
{
    [Fact]
    public async Task A_message_deferred_past_the_warning_time_sends_its_sender_one_delay_warning()
    {
        await using var harness = new SchedulerHarness(o => o with { DelayWarning = TimeSpan.FromMinutes(2) });
        harness.Transport.Respond = (_, r) => r.StartsWith("slow", StringComparison.Ordinal) ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        await harness.StartAsync();
        var id = await harness.SubmitAsync("app@example.com", "slow@example.net");

        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Events.NextAttemptAsync();
        Assert.Empty(Warnings(harness));

        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.Events.NextAttemptAsync();
        var warning = await WarningAsync(harness);

        // The warning is queued before the recipient is marked (a crash between the two repeats a warning rather
        // than losing it), and it may be delivered before the mark is written: wait for the mark.
        await WaitForWarnedAsync(harness, id);
        var dsn = MimeMessage.Load(new MemoryStream(warning.Content));
        Assert.Equal("Delayed Mail (still being retried)", dsn.Subject);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        var group = Assert.IsType<MessageDeliveryStatus>(report[1]).StatusGroups.Skip(1).Single(g => g.Count > 0);
        Assert.Equal("delayed", group["Action"]);
        Assert.Equal("4.7.1", group["Status"]);

        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.Events.NextAttemptAsync();
        await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.Single(Warnings(harness));
        Assert.True(harness.Exists(id));
    }

    [Fact]
    public async Task NOTIFY_without_DELAY_gets_no_warning_and_is_never_considered_again()
    {
        await using var harness = new SchedulerHarness(o => o with { DelayWarning = TimeSpan.FromMinutes(1) });
        harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await harness.StartAsync();
        var id = await harness.SubmitAsync(new SpoolEnvelope
        {
            Sender = "app@example.com",
            Recipients = ["slow@example.net"],
            RecipientDsn = new Dictionary<string, RecipientDsnOptions> { ["slow@example.net"] = new(DsnNotify.Failure, null) },
        });

        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Events.NextAttemptAsync();
        await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        await WaitForWarnedAsync(harness, id);

        Assert.Empty(Warnings(harness));
        Assert.Single(harness.Data.ActiveFiles(), f => f.EndsWith(".msg", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_warning_time_no_delay_warning_is_sent()
    {
        await using var harness = new SchedulerHarness();
        harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await harness.StartAsync();
        var id = await harness.SubmitAsync("app@example.com", "slow@example.net");

        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Events.NextAttemptAsync();
        await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);

        Assert.False(harness.StateOf(id).For("slow@example.net").Warned);
        Assert.Single(harness.Data.ActiveFiles(), f => f.EndsWith(".msg", StringComparison.Ordinal));
    }

    private static List<RecordedRequest> Warnings(SchedulerHarness harness) =>
        [.. harness.Transport.Requests.Where(r => r.Request.Message.Envelope.Sender.Length == 0)];

    private static async Task<RecordedRequest> WarningAsync(SchedulerHarness harness)
    {
        await harness.Events.RemovedMatchingAsync(id => harness.Transport.Requests.Any(
            r => r.Request.Message.QueueId == id && r.Request.Message.Envelope.Sender.Length == 0));
        return Assert.Single(Warnings(harness));
    }

    private static async Task WaitForWarnedAsync(SchedulerHarness harness, string id)
    {
        var deadline = DateTime.UtcNow + SchedulerEvents.Timeout;
        while (!harness.StateOf(id).For("slow@example.net").Warned)
        {
            Assert.True(DateTime.UtcNow < deadline, "the recipient was never marked as warned");
            await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        }
    }
}
