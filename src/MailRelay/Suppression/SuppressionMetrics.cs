using Prometheus;

namespace MailRelay.Suppression;

/// <summary>
/// The suppression list's metrics. The gauge is read from the store at every scrape, so it always equals what
/// <c>MailRelay suppress list</c> prints, whatever another process removed.
/// </summary>
public sealed class SuppressionMetrics
{
    private readonly Gauge _suppressed;
    private readonly Counter _refusals;
    private readonly Counter _added;

    public SuppressionMetrics(CollectorRegistry registry, SuppressionStore store)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        var factory = Metrics.WithCustomRegistry(registry);
        _suppressed = factory.CreateGauge("mailrelay_suppressed_recipients", "Recipients refused at RCPT now because they hard-bounced or complained.");
        _refusals = factory.CreateCounter("mailrelay_suppression_refusals_total", "RCPTs refused because the recipient is suppressed, by reason.", "reason");
        _added = factory.CreateCounter("mailrelay_suppression_added_total", "Recipients put on the suppression list, by reason.", "reason");
        registry.AddBeforeCollectCallback(() => _suppressed.Set(store.List().Count));
    }

    public void Refused(SuppressionReason reason) => _refusals.WithLabels(Label(reason)).Inc();

    public void Added(SuppressionReason reason) => _added.WithLabels(Label(reason)).Inc();

    public static string Label(SuppressionReason reason) => reason == SuppressionReason.Complaint ? "complaint" : "hard_bounce";
}
