using Prometheus;

namespace MailRelay.Inbound;

/// <summary>Inbound feedback messages by kind and outcome (docs/metrics.md).</summary>
public sealed class InboundMetrics
{
    private readonly Counter _messages;

    public InboundMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _messages = factory.CreateCounter(
            "mailrelay_inbound_messages_total",
            "Messages received for the feedback addresses, by kind (dsn, arf, dmarc_report, other) and outcome (processed, forwarded, kept, refused, failed).",
            "kind",
            "outcome");
        foreach (var kind in Enum.GetValues<InboundKind>())
        {
            foreach (var outcome in Enum.GetValues<InboundOutcome>())
            {
                _messages.WithLabels(Label(kind), Label(outcome));
            }
        }
    }

    public void Count(InboundKind kind, InboundOutcome outcome) => _messages.WithLabels(Label(kind), Label(outcome)).Inc();

    public double Value(InboundKind kind, InboundOutcome outcome) => _messages.WithLabels(Label(kind), Label(outcome)).Value;

    public static string Label(InboundKind kind) => kind switch
    {
        InboundKind.Dsn => "dsn",
        InboundKind.Arf => "arf",
        InboundKind.DmarcReport => "dmarc_report",
        _ => "other",
    };

    public static string Label(InboundOutcome outcome) => outcome switch
    {
        InboundOutcome.Processed => "processed",
        InboundOutcome.Forwarded => "forwarded",
        InboundOutcome.Kept => "kept",
        InboundOutcome.Refused => "refused",
        _ => "failed",
    };
}
