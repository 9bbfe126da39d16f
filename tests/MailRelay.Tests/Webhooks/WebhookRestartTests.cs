using MailRelay.Events;

namespace MailRelay.Tests.Webhooks;

public class WebhookRestartTests
{
    [Fact]
    public async Task After_a_restart_nothing_is_lost_and_the_unacknowledged_events_come_again_with_the_same_ids()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var outbox = new FakeEventOutbox();
        var time = new Support.TimerRecordingTimeProvider();
        var now = time.GetUtcNow();
        var records = new[]
        {
            outbox.Append(RelayEventTypes.Delivered, "QA", now),
            outbox.Append(RelayEventTypes.Delivered, "QB", now),
            outbox.Append(RelayEventTypes.Deferred, "QC", now),
            outbox.Append(RelayEventTypes.Delivered, "QD", now),
            outbox.Append(RelayEventTypes.Bounced, "QE", now),
        };
        receiver.Answer = (request, _) => Task.FromResult(new WebhookAnswer(request.EventId == records[2].Id ? 500 : 200));

        var before = WebhookHarness.Create(receiver.Url, outbox: outbox, time: time);
        before.Start();
        await before.WaitForBackoffTimersAsync(1);
        await receiver.WaitUntilAsync(requests => requests.Select(r => r.EventId).Distinct().Count() == 5);
        await before.DisposeAsync();
        var firstRun = receiver.Requests;

        // Only what precedes the failing event is acknowledged: the position stops at it.
        Assert.Equal(records[2].Sequence, outbox.PositionOf("webhook-app"));

        receiver.Answer = (_, _) => Task.FromResult(new WebhookAnswer(200));
        await using var after = WebhookHarness.Create(receiver.Url, outbox: outbox, time: time);
        after.Start();
        await after.WaitForAcknowledgedAsync(6);
        var secondRun = receiver.Requests.Skip(firstRun.Count).ToArray();

        Assert.Equal(records.Skip(2).Select(r => r.Id), secondRun.Select(r => r.EventId).Order());
        Assert.Equal(records.Select(r => r.Id), receiver.Requests.Select(r => r.EventId).Distinct().Order());
        foreach (var again in secondRun)
        {
            Assert.All(firstRun.Where(r => r.EventId == again.EventId), earlier => Assert.Equal(earlier.Body, again.Body));
        }
    }
}
