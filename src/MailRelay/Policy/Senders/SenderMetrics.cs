using Prometheus;

namespace MailRelay.Policy.Senders;

/// <summary>Refused senders, registered in the daemon's own Prometheus registry (listed in docs/metrics.md).</summary>
public sealed class SenderMetrics
{
    private readonly Counter _refused;

    public SenderMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _refused = factory.CreateCounter(
            "mailrelay_smtp_senders_refused_total",
            "Senders refused by the sender rules, by reason (sender_access, auth_binding, from_header).",
            "reason");
    }

    public void Refused(SenderRefusal reason) => _refused.WithLabels(Label(reason)).Inc();

    public double Count(SenderRefusal reason) => _refused.WithLabels(Label(reason)).Value;

    /// <summary>The label value, also used in log events.</summary>
    public static string Label(SenderRefusal reason) => reason switch
    {
        SenderRefusal.SenderAccess => "sender_access",
        SenderRefusal.AuthBinding => "auth_binding",
        SenderRefusal.FromHeader => "from_header",
        _ => "none",
    };
}
