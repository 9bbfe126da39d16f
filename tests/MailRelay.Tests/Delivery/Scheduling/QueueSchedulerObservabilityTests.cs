namespace MailRelay.Tests.Delivery.Scheduling;

public sealed class QueueSchedulerObservabilityTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly SchedulerHarness _harness = new();

    public Task InitializeAsync() => _harness.StartAsync();

    Task IAsyncLifetime.DisposeAsync() => _harness.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Each_attempt_is_logged_per_recipient_in_the_familiar_form()
    {
        _harness.Transport.Respond = (_, r) => r.StartsWith("later", StringComparison.Ordinal) ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        _harness.Time.Advance(TimeSpan.FromSeconds(2));
        var id = await _harness.SubmitAsync("app@example.com", "now@example.net", "later@example.net");
        await _harness.Events.NextAttemptAsync();

        Assert.Contains($"{id}: to=<now@example.net>, relay=mx.example.net[127.0.0.1]:25, delay=0, dsn=2.0.0, status=sent (250 2.0.0 Ok)", _harness.Logger.Messages);
        Assert.Contains($"{id}: to=<later@example.net>, relay=mx.example.net[127.0.0.1]:25, delay=0, dsn=4.7.1, status=deferred (451 4.7.1 try again later)", _harness.Logger.Messages);
    }

    [Fact]
    public async Task Metrics_count_attempts_by_outcome_and_show_the_queue_size()
    {
        _harness.Transport.Respond = (_, r) => r.StartsWith("later", StringComparison.Ordinal) ? FakeTransport.Deferred(r) : FakeTransport.Delivered(r);
        await _harness.SubmitAsync("app@example.com", "now@example.net", "later@example.net");
        await _harness.Events.NextAttemptAsync();
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        await _harness.Scheduler.NextPassAsync().WaitAsync(SchedulerEvents.Timeout);

        var text = await _harness.MetricsTextAsync();

        Assert.Contains("mailrelay_delivery_attempts_total{outcome=\"sent\",provider=\"other\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_delivery_attempts_total{outcome=\"deferred\",provider=\"other\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_queue_messages 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_queue_recipients 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_queue_oldest_message_age_seconds 30", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_delivery_latency_seconds_count 1", text, StringComparison.Ordinal);
    }
}
