using Prometheus;

namespace MailRelay.Dkim;

/// <summary>
/// DKIM counters, registered in the daemon's own Prometheus registry (listed in docs/dkim.md).
/// </summary>
public sealed class DkimMetrics
{
    public const string NoKeyReason = "no_key";
    public const string AlreadySignedReason = "already_signed";

    private readonly Counter _signed;
    private readonly Counter _unsigned;
    private readonly Counter _failures;

    public DkimMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _signed = factory.CreateCounter("mailrelay_dkim_signed_total", "Messages signed with DKIM, by signing domain (d=).", "domain");
        _unsigned = factory.CreateCounter(
            "mailrelay_dkim_unsigned_total", "Messages not signed, by reason (no_key, already_signed).", "reason");
        _failures = factory.CreateCounter("mailrelay_dkim_signing_failures_total", "Messages that could not be signed and went out unsigned.");
    }

    public void MessageSigned(string domain) => _signed.WithLabels(domain).Inc();

    public void MessageNotSigned(string reason) => _unsigned.WithLabels(reason).Inc();

    public void SigningFailed() => _failures.Inc();

    public double SignedCount(string domain) => _signed.WithLabels(domain).Value;

    public double UnsignedCount(string reason) => _unsigned.WithLabels(reason).Value;

    public double FailureCount => _failures.Value;
}
