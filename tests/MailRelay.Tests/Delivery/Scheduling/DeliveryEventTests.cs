using System.Text;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Tests.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// Delivery events (docs/events.md): one per recipient outcome, each field filled, durable before the outcome is
/// recorded, and the same id when a crash makes the same outcome happen again.
/// </summary>
public sealed class DeliveryEventTests
{
    private static readonly byte[] Content = Encoding.ASCII.GetBytes(
        "From: app@example.com\r\nTo: user@example.net\r\nMessage-ID: <m1.2026@app.example.com>\r\n"
        + "X-Message-ID: order-4711\r\nX-Request-Id:\r\n  req-\r\n 99\r\nSubject: events\r\n\r\nMessage-ID: <not-a-header@body>\r\n");

    [Fact]
    public async Task Delivered_bounced_deferred_then_delivered_each_give_one_event_with_every_field()
    {
        await using var harness = new SchedulerHarness(eventDisk: new PosixDiskSync());
        var deferredOnce = new HashSet<string>(StringComparer.Ordinal);
        harness.Transport.Respond = (_, r) => r switch
        {
            "bad@c.example" => FakeTransport.Failed(r),
            "later@b.example" when deferredOnce.Add(r) => FakeTransport.Deferred(r),
            _ => FakeTransport.Delivered(r),
        };
        await harness.StartAsync();
        var id = await SubmitAsync(harness, "ok@a.example", "bad@c.example", "later@b.example");

        // The bounce's DSN is a message of its own, delivered on its own schedule: only this message's events count.
        await WaitUntilAsync(harness, () => EventsOf(harness).Count(e => e.QueueId == id) == 3, advance: false);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(harness, () => EventsOf(harness).Count(e => e.QueueId == id) == 4, advance: false);

        var events = EventsOf(harness).Where(e => e.QueueId == id).ToList();
        Assert.Equal(
            ["bounced bad@c.example 1", "deferred later@b.example 1", "delivered later@b.example 2", "delivered ok@a.example 1"],
            events.Select(e => $"{e.Type} {e.Recipient} {e.Attempt}").Order(StringComparer.Ordinal));
        Assert.All(events, e =>
        {
            Assert.Equal(RelayEventIds.ForRecipient(e.Type, id, e.Recipient!, e.Attempt!.Value), e.Id);
            Assert.Equal(id, e.QueueId);
            Assert.Equal("m1.2026@app.example.com", e.MessageId);
            Assert.Equal("order-4711", e.ClientId);
            Assert.Equal("app@example.com", e.Sender);
            Assert.Equal("mx.example.net[127.0.0.1]:25", e.NextHop);
        });
        var bounced = events.Single(e => e.Type == "bounced");
        Assert.Equal("550 5.1.1 no such user", bounced.RemoteReply);
        Assert.Equal("5.1.1", bounced.DsnStatus);
        var deferred = events.Single(e => e.Type == "deferred");
        Assert.Equal("451 4.7.1 try again later", deferred.RemoteReply);
        Assert.Equal("4.7.1", deferred.DsnStatus);
        var late = events.Single(e => e.Type == "delivered" && e.Recipient == "later@b.example");
        Assert.Equal("2.0.0", late.DsnStatus);
        Assert.Equal("250 2.0.0 Ok", late.RemoteReply);
        Assert.Equal((late.Time - SpoolFixtures.Start).TotalSeconds, late.DelaySeconds);
        Assert.True(late.DelaySeconds >= 60);
    }

    [Fact]
    public async Task A_recipient_still_deferred_when_the_queue_lifetime_ends_gives_an_expired_event_with_4_4_7()
    {
        await using var harness = new SchedulerHarness(eventDisk: new PosixDiskSync());
        harness.Transport.Respond = (_, r) => FakeTransport.Deferred(r);
        await harness.StartAsync();
        var id = await SubmitAsync(harness, "stuck@b.example");
        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(61));
        await harness.Events.NextAttemptAsync();

        // The expiry's DSN is a message of its own: only this message's events count.
        var events = EventsOf(harness).Where(e => e.QueueId == id).ToList();
        Assert.Equal(["deferred 1 4.7.1", "expired 2 4.4.7"], events.Select(e => $"{e.Type} {e.Attempt} {e.DsnStatus}"));
        Assert.Equal(RelayEventIds.ForRecipient("expired", id, "stuck@b.example", 2), events[1].Id);
        Assert.Equal("451 4.7.1 try again later", events[1].RemoteReply);
    }

    [Fact]
    public async Task A_delay_warning_gives_one_delayed_event()
    {
        await using var harness = new SchedulerHarness(o => o with { DelayWarning = TimeSpan.FromMinutes(2) }, eventDisk: new PosixDiskSync());
        harness.Transport.Respond = (_, r) => r == "slow@b.example" ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        await harness.StartAsync();
        var id = await SubmitAsync(harness, "slow@b.example");
        await harness.Events.NextAttemptAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Events.NextAttemptAsync();

        // The next attempt is due 5 minutes later; the warning comes when the message is 2 minutes old, before it.
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        // No further advance: the warning is due now, and time moved on would reach the next attempt (6 minutes).
        await WaitUntilAsync(harness, () => EventsOf(harness).Any(e => e.Type == "delayed") && harness.StateOf(id).For("slow@b.example").Warned, advance: false);

        var delayed = Assert.Single(EventsOf(harness), e => e.Type == "delayed" && e.QueueId == id);
        Assert.Equal(RelayEventIds.Of("delayed", id, "slow@b.example"), delayed.Id);
        Assert.Equal("order-4711", delayed.ClientId);
        Assert.Equal("4.7.1", delayed.DsnStatus);
        Assert.Equal("451 4.7.1 try again later", delayed.RemoteReply);
        Assert.Equal(2, delayed.Attempt);
        Assert.Equal(2, harness.Transport.For("slow@b.example").Count);
    }

    [Fact]
    public async Task EVENTS_CLIENT_ID_HEADER_names_the_header_whose_unfolded_value_is_the_client_id()
    {
        await using var harness = new SchedulerHarness(o => o with { ClientIdHeader = "x-request-id" }, eventDisk: new PosixDiskSync());
        await harness.StartAsync();
        await SubmitAsync(harness, "ok@a.example");
        await harness.Events.NextAttemptAsync();

        Assert.Equal("req- 99", Assert.Single(EventsOf(harness)).ClientId);
    }

    [Fact]
    public async Task An_outcome_whose_event_cannot_be_appended_is_not_recorded_until_the_event_is_durable()
    {
        var disk = new FaultInjectingDiskSync();
        await using var harness = new SchedulerHarness(eventDisk: disk);
        harness.Transport.Respond = (_, r) => r == "ok@a.example" ? FakeTransport.Delivered(r) : FakeTransport.Deferred(r);
        await harness.StartAsync();
        disk.Fail(DiskOperation.Write, "events");
        var single = await SubmitAsync(harness, "ok@a.example");
        var pair = await SubmitAsync(harness, "ok@a.example", "wait@b.example");
        for (var i = 0; i < 3; i++)
        {
            await harness.Events.NextAttemptAsync();
        }

        // Delivered, but neither recorded nor removed: the events are not durable. Nothing is attempted twice.
        Assert.Empty(EventsOf(harness));
        Assert.True(harness.Exists(single));
        Assert.Equal(RecipientStatus.Pending, harness.StateOf(single).For("ok@a.example").Status);
        Assert.Equal(RecipientStatus.Pending, harness.StateOf(pair).For("ok@a.example").Status);
        Assert.Equal(RecipientStatus.Pending, harness.StateOf(pair).For("wait@b.example").Status);
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        Assert.True(harness.Exists(single));
        Assert.Equal(2, harness.Transport.For("ok@a.example").Count);

        disk.Clear();
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        await harness.Events.RemovedAsync(single);
        await WaitUntilAsync(harness, () => harness.StateOf(pair).For("wait@b.example").Status == RecipientStatus.Deferred);

        var events = EventsOf(harness);
        Assert.Equal(
            new[] { $"deferred {pair} wait@b.example", $"delivered {pair} ok@a.example", $"delivered {single} ok@a.example" }.Order(StringComparer.Ordinal),
            events.Select(e => $"{e.Type} {e.QueueId} {e.Recipient}").Order(StringComparer.Ordinal));
        Assert.Equal(RecipientStatus.Delivered, harness.StateOf(pair).For("ok@a.example").Status);
        Assert.Equal(2, harness.Transport.For("ok@a.example").Count);
    }

    [Fact]
    public async Task A_crash_between_the_event_and_its_record_repeats_the_attempt_and_the_same_outcome_gets_the_same_id()
    {
        var stateDisk = new FaultInjectingDiskSync();
        await using var harness = new SchedulerHarness(diskSync: stateDisk, eventDisk: new PosixDiskSync());
        harness.Transport.Respond = (_, r) => r == "ok@a.example" ? FakeTransport.Delivered(r) : FakeTransport.Deferred(r);
        await harness.StartAsync();
        var id = await SubmitAsync(harness, "ok@a.example", "wait@b.example");
        stateDisk.Fail(DiskOperation.Write, ".state");
        await harness.Events.NextAttemptAsync();
        await harness.Events.NextAttemptAsync();

        // The events are durable, the records are not: a crash now (the daemon stops before writing them).
        Assert.Equal(RecipientStatus.Pending, harness.StateOf(id).For("ok@a.example").Status);
        var before = EventsOf(harness);
        Assert.Equal(2, before.Count);
        await harness.StopAsync();
        stateDisk.Clear();
        await harness.RestartAsync();
        await harness.Events.NextAttemptAsync();
        await harness.Events.NextAttemptAsync();

        var after = EventsOf(harness);
        Assert.Equal(4, after.Count);
        foreach (var first in before)
        {
            var again = Assert.Single(after.Skip(2), e => e.Recipient == first.Recipient);
            Assert.Equal(first.Type, again.Type);
            Assert.Equal(1, again.Attempt);
            Assert.Equal(first.Id, again.Id);
        }
    }

    private static Task<string> SubmitAsync(SchedulerHarness harness, params string[] recipients) =>
        SpoolFixtures.CommitAsync(harness.Spool, SpoolFixtures.Envelope("app@example.com", recipients), Content);

    private static List<RelayEvent> EventsOf(SchedulerHarness harness) =>
        [.. harness.Outbox!.Read(1, int.MaxValue).Select(r => RelayEventJson.Parse(r.Json.Span)!.Value.Event)];

    /// <summary>Runs passes (moving the clock a second before each, unless told not to) until the condition holds.</summary>
    private static async Task WaitUntilAsync(SchedulerHarness harness, Func<bool> condition, bool advance = true)
    {
        var deadline = DateTime.UtcNow + SchedulerEvents.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never came true");
            if (advance)
            {
                harness.Time.Advance(TimeSpan.FromSeconds(1));
            }

            await harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);
        }
    }
}
