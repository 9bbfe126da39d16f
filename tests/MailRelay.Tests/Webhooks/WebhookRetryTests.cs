using System.Net;
using System.Net.Sockets;
using MailRelay.Events;
using MailRelay.Webhooks;

namespace MailRelay.Tests.Webhooks;

public class WebhookRetryTests
{
    [Fact]
    public async Task The_backoff_doubles_with_jitter_and_delivery_resumes_in_order_when_the_receiver_comes_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => Task.FromResult(new WebhookAnswer(receiver.Requests.Count <= 4 ? 503 : 200));
        await using var harness = WebhookHarness.Create(receiver.Url);
        var first = harness.Outbox.Append(RelayEventTypes.Deferred, "Q1", harness.Time.GetUtcNow());
        var second = harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow());
        harness.Start();

        for (var failures = 1; failures <= 4; failures++)
        {
            await harness.WaitForBackoffTimersAsync(failures);
            var delay = harness.BackoffTimers[failures - 1];
            var ceiling = TimeSpan.FromSeconds(Math.Pow(2, failures - 1));
            Assert.InRange(delay, ceiling / 2, ceiling);
            Assert.Equal(failures, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", "5xx")));
            Assert.All(receiver.Requests, r => Assert.Equal(first.Id, r.EventId));
            harness.Time.Advance(delay);
        }

        await harness.WaitForAcknowledgedAsync(3);
        Assert.Equal([first.Id, first.Id, first.Id, first.Id, first.Id, second.Id], receiver.Requests.Select(r => r.EventId));
        Assert.Equal(2, await harness.MetricAsync("mailrelay_webhook_events_sent_total"));
    }

    [Fact]
    public void The_backoff_is_capped_at_ten_minutes_and_never_counts_attempts()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), WebhookBackoff.Ceiling(1));
        Assert.Equal(TimeSpan.FromSeconds(512), WebhookBackoff.Ceiling(10));
        Assert.Equal(TimeSpan.FromMinutes(10), WebhookBackoff.Ceiling(11));
        Assert.Equal(TimeSpan.FromMinutes(10), WebhookBackoff.Ceiling(100_000));
        Assert.Equal(TimeSpan.FromMinutes(5), WebhookBackoff.Delay(500, 0));
        Assert.InRange(WebhookBackoff.Delay(500, 0.99999999), TimeSpan.FromMinutes(9.99), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_backoff_is_honoured()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => Task.FromResult(receiver.Requests.Count == 1 ? new WebhookAnswer(429, 120) : new WebhookAnswer(200));
        await using var harness = WebhookHarness.Create(receiver.Url);
        harness.Outbox.Append(RelayEventTypes.Bounced, "Q1", harness.Time.GetUtcNow());
        harness.Start();

        await harness.WaitForBackoffTimersAsync(1);
        Assert.Equal(TimeSpan.FromSeconds(120), harness.BackoffTimers[0]);
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", "4xx")));
        harness.Time.Advance(TimeSpan.FromSeconds(120));
        await harness.WaitForAcknowledgedAsync(2);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task Gone_drops_the_event_for_good_and_the_next_of_its_message_follows()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (request, _) => Task.FromResult(new WebhookAnswer(receiver.Requests.Count == 1 ? 410 : 200));
        await using var harness = WebhookHarness.Create(receiver.Url);
        var gone = harness.Outbox.Append(RelayEventTypes.Deferred, "Q1", harness.Time.GetUtcNow());
        var next = harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow());
        harness.Start();

        await harness.WaitForAcknowledgedAsync(3);

        Assert.Equal([gone.Id, next.Id], receiver.Requests.Select(r => r.EventId));
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_events_dropped_total", ("reason", "gone")));
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", "4xx")));
    }

    [Fact]
    public async Task Other_client_errors_are_retried_not_dropped()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => Task.FromResult(new WebhookAnswer(receiver.Requests.Count == 1 ? 404 : 200));
        await using var harness = WebhookHarness.Create(receiver.Url);
        var record = harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow());
        harness.Start();

        await harness.WaitForBackoffTimersAsync(1);
        harness.Time.Advance(harness.BackoffTimers[0]);
        await harness.WaitForAcknowledgedAsync(2);

        Assert.Equal([record.Id, record.Id], receiver.Requests.Select(r => r.EventId));
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", "4xx")));
        Assert.Equal(0, await harness.MetricAsync("mailrelay_webhook_events_dropped_total", ("reason", "gone")));
    }

    [Fact]
    public async Task A_request_unanswered_within_the_timeout_fails_as_timeout_and_is_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = async (_, token) =>
        {
            if (receiver.Requests.Count == 1)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            return new WebhookAnswer(200);
        };
        await using var harness = WebhookHarness.Create(receiver.Url);
        harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow());
        harness.Start();

        await receiver.WaitForRequestsAsync(1);
        harness.Time.Advance(WebhookHarness.Timeout);
        await harness.WaitForBackoffTimersAsync(1);
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", "timeout")));

        harness.Time.Advance(harness.BackoffTimers[0]);
        await harness.WaitForAcknowledgedAsync(2);
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_events_sent_total"));
    }

    [Fact]
    public async Task A_receiver_that_is_not_listening_is_a_connect_failure()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        await using var harness = WebhookHarness.Create(new Uri($"http://127.0.0.1:{port}/hooks"));
        harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow());
        harness.Start();

        await harness.WaitForBackoffTimersAsync(1);

        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_attempts_failed_total", ("reason", "connect")));
        Assert.Equal(1, harness.Outbox.PositionOf(harness.Endpoint.ConsumerName));
    }

    [Fact]
    public async Task An_event_older_than_the_max_age_is_dropped_counted_and_acknowledged_and_its_message_goes_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (request, _) => Task.FromResult(new WebhookAnswer(request.EventType == "deferred" ? 500 : 200));
        await using var harness = WebhookHarness.Create(receiver.Url, maxAge: TimeSpan.FromSeconds(10));
        var stale = harness.Outbox.Append(RelayEventTypes.Delayed, "Q0", harness.Time.GetUtcNow() - TimeSpan.FromSeconds(11));
        var failing = harness.Outbox.Append(RelayEventTypes.Deferred, "Q1", harness.Time.GetUtcNow());
        // Told of 5 s later than the failing one, so still young enough when that one is dropped.
        var after = harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow() + TimeSpan.FromSeconds(5));
        harness.Start();

        // Too old before its first attempt: never sent.
        await harness.WaitForBackoffTimersAsync(1);
        Assert.Equal(1, await harness.MetricAsync("mailrelay_webhook_events_dropped_total", ("reason", "max_age")));
        Assert.DoesNotContain(receiver.Requests, r => r.EventId == stale.Id);

        // Too old when its retry comes due: dropped, and the next event of its message is sent.
        harness.Time.Advance(TimeSpan.FromSeconds(11));
        await harness.WaitForAcknowledgedAsync(4);
        Assert.Equal(2, await harness.MetricAsync("mailrelay_webhook_events_dropped_total", ("reason", "max_age")));
        Assert.Equal([failing.Id, after.Id], receiver.Requests.Select(r => r.EventId));
    }
}
