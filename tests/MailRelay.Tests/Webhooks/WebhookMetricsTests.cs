using MailRelay.Events;

namespace MailRelay.Tests.Webhooks;

public class WebhookMetricsTests
{
    [Fact]
    public async Task Every_series_exists_from_the_start_at_zero()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = WebhookHarness.Create(receiver.Url);

        foreach (var reason in MailRelay.Webhooks.WebhookMetrics.FailureReasons)
        {
            Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", reason)));
        }

        foreach (var reason in MailRelay.Webhooks.WebhookMetrics.DropReasons)
        {
            Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_events_dropped_total", ("reason", reason)));
        }

        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_events_sent_total"));
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_backlog_events"));
    }

    [Fact]
    public async Task Backlog_oldest_age_and_in_flight_are_what_the_endpoint_has_not_acknowledged_at_each_scrape()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var answers = new Queue<TaskCompletionSource<WebhookAnswer>>();
        receiver.Answer = (_, token) =>
        {
            var answer = new TaskCompletionSource<WebhookAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (answers)
            {
                answers.Enqueue(answer);
            }

            return answer.Task.WaitAsync(token);
        };
        await using var harness = WebhookHarness.Create(receiver.Url);
        var t0 = harness.Time.GetUtcNow();
        harness.Outbox.Append(RelayEventTypes.Deferred, "QA", t0);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        harness.Outbox.Append(RelayEventTypes.Deferred, "QA", harness.Time.GetUtcNow());
        harness.Outbox.Append(RelayEventTypes.Delivered, "QA", harness.Time.GetUtcNow());
        harness.Time.Advance(TimeSpan.FromSeconds(20));

        // Registered, nothing read yet: the whole outbox is the backlog, its first event the oldest.
        harness.Dispatcher.Register();
        Assert.Equal(3, await harness.MetricAsync("mailrelay_webhook_backlog_events"));
        Assert.Equal(30, await harness.MetricAsync("mailrelay_webhook_oldest_event_age_seconds"));
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));

        harness.Start();
        await receiver.WaitForRequestsAsync(1);
        Assert.Equal(3, await harness.MetricAsync("mailrelay_webhook_backlog_events"));
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));
        Assert.Equal(30, await harness.MetricAsync("mailrelay_webhook_oldest_event_age_seconds"));

        ReleaseNext(answers);
        await harness.WaitForAcknowledgedAsync(2);
        await receiver.WaitForRequestsAsync(2);
        Assert.Equal(2, await harness.MetricAsync("mailrelay_webhook_backlog_events"));
        Assert.Equal(20, await harness.MetricAsync("mailrelay_webhook_oldest_event_age_seconds"));
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));

        ReleaseNext(answers);
        await receiver.WaitForRequestsAsync(3);
        ReleaseNext(answers);
        await harness.WaitForAcknowledgedAsync(4);
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_backlog_events"));
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_oldest_event_age_seconds"));
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));
        Assert.Equal(3, await harness.MetricAsync("mailrelay_webhook_events_sent_total"));
    }

    private static void ReleaseNext(Queue<TaskCompletionSource<WebhookAnswer>> answers)
    {
        lock (answers)
        {
            answers.Dequeue().SetResult(new WebhookAnswer(200));
        }
    }
}
