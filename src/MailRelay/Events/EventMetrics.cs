using Prometheus;

namespace MailRelay.Events;

/// <summary>The outbox's metrics (docs/metrics.md); the disk gauges are read from the outbox at every scrape.</summary>
internal sealed class EventMetrics
{
    private readonly Counter _appended;
    private readonly Counter _failures;
    private readonly Gauge _bytes;
    private readonly Gauge _segments;
    private Func<(long Bytes, int Segments)>? _measure;

    public EventMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        _appended = factory.CreateCounter("mailrelay_events_appended_total", "Events made durable in the outbox, by type.", "type");
        _failures = factory.CreateCounter("mailrelay_events_append_failures_total", "Appends to the outbox that failed (their outcomes are retried).");
        _bytes = factory.CreateGauge("mailrelay_events_outbox_bytes", "Bytes of event segments on disk.");
        _segments = factory.CreateGauge("mailrelay_events_outbox_segments", "Event segment files on disk.");
        foreach (var type in RelayEventTypes.All)
        {
            _appended.WithLabels(type);
        }

        registry.AddBeforeCollectCallback(() =>
        {
            var (bytes, segments) = Volatile.Read(ref _measure)?.Invoke() ?? default;
            _bytes.Set(bytes);
            _segments.Set(segments);
        });
    }

    public void MeasureWith(Func<(long Bytes, int Segments)> measure) => Volatile.Write(ref _measure, measure);

    public void Appended(string type) => _appended.WithLabels(type).Inc();

    public void AppendFailed() => _failures.Inc();
}
