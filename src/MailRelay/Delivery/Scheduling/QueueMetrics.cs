using Prometheus;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// The queue manager's Prometheus metrics, registered in the daemon's registry. The queue gauges are not
/// updated by the paths that change the queue (some would be missed, and a queue that empties brings no
/// further pass to update them): they are read from the scheduler at every scrape, so they always equal
/// what <c>MailRelay queue list</c> shows.
/// </summary>
public sealed class QueueMetrics
{
    private Func<QueueSize>? _queueSize;
    private readonly Gauge _messages;
    private readonly Gauge _recipients;
    private readonly Gauge _oldestAge;
    private readonly Counter _attempts;
    private readonly Histogram _latency;
    private readonly Counter _dsns;

    public QueueMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        _messages = factory.CreateGauge("mailrelay_queue_messages", "Messages in the queue, held ones included.");
        _recipients = factory.CreateGauge("mailrelay_queue_recipients", "Recipients of queued messages not yet delivered or bounced.");
        _oldestAge = factory.CreateGauge("mailrelay_queue_oldest_message_age_seconds", "Seconds since the oldest queued message arrived; 0 when the queue is empty.");
        _attempts = factory.CreateCounter(
            "mailrelay_delivery_attempts_total", "Delivery attempts per recipient, by outcome and provider.", "outcome", "provider");
        _latency = factory.CreateHistogram(
            "mailrelay_delivery_latency_seconds", "Time from arrival to delivery, per delivered recipient.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 4, 12) });
        _dsns = factory.CreateCounter("mailrelay_dsn_generated_total", "Delivery status notifications queued, by action.", "action");
        registry.AddBeforeCollectCallback(UpdateQueueGauges);
    }

    /// <summary>Where the queue gauges are read at each scrape: the running scheduler (a restarted one replaces it).</summary>
    internal void MeasureQueueWith(Func<QueueSize> queueSize) => Volatile.Write(ref _queueSize, queueSize);

    private void UpdateQueueGauges()
    {
        var size = Volatile.Read(ref _queueSize)?.Invoke() ?? default;
        _messages.Set(size.Messages);
        _recipients.Set(size.Recipients);
        _oldestAge.Set(Math.Max(0, size.OldestAge.TotalSeconds));
    }

    /// <summary>
    /// One recipient's attempt ended: <c>sent</c>, <c>deferred</c> or <c>bounced</c>, at <paramref name="provider"/>, a
    /// value of <see cref="ProviderLabels"/> (so the series stay bounded whatever the recipients' domains).
    /// </summary>
    public void Attempt(string outcome, string provider) => _attempts.WithLabels(outcome, provider).Inc();

    public void Delivered(TimeSpan sinceArrival) => _latency.Observe(Math.Max(0, sinceArrival.TotalSeconds));

    public void DsnGenerated(string action) => _dsns.WithLabels(action).Inc();
}
