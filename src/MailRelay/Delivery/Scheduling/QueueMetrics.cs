using Prometheus;

namespace MailRelay.Delivery.Scheduling;

/// <summary>The queue manager's Prometheus metrics, registered in the daemon's registry.</summary>
public sealed class QueueMetrics
{
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
        _messages = factory.CreateGauge("mailrelay_queue_messages", "Messages in the queue.");
        _recipients = factory.CreateGauge("mailrelay_queue_recipients", "Recipients in the queue not yet delivered or bounced.");
        _oldestAge = factory.CreateGauge("mailrelay_queue_oldest_message_age_seconds", "Age of the oldest queued message.");
        _attempts = factory.CreateCounter(
            "mailrelay_delivery_attempts_total", "Delivery attempts per recipient, by outcome.", "outcome");
        _latency = factory.CreateHistogram(
            "mailrelay_delivery_latency_seconds", "Time from arrival to delivery, per delivered recipient.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 4, 12) });
        _dsns = factory.CreateCounter("mailrelay_dsn_generated_total", "Delivery status notifications queued, by action.", "action");
    }

    public void SetQueueSize(int messages, int recipients, TimeSpan oldestAge)
    {
        _messages.Set(messages);
        _recipients.Set(recipients);
        _oldestAge.Set(Math.Max(0, oldestAge.TotalSeconds));
    }

    /// <summary>One recipient's attempt ended: <c>sent</c>, <c>deferred</c> or <c>bounced</c>.</summary>
    public void Attempt(string outcome) => _attempts.WithLabels(outcome).Inc();

    public void Delivered(TimeSpan sinceArrival) => _latency.Observe(Math.Max(0, sinceArrival.TotalSeconds));

    public void DsnGenerated(string action) => _dsns.WithLabels(action).Inc();
}
