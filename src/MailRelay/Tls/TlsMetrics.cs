using Prometheus;

namespace MailRelay.Tls;

/// <summary>The server certificate in <c>/metrics</c> (registered only when TLS_CERT_FILE is set; docs/metrics.md).</summary>
public sealed class TlsMetrics
{
    public const string Success = "success";
    public const string Failure = "failure";

    private readonly Gauge _expiry;
    private readonly Counter _reloads;

    public TlsMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _expiry = factory.CreateGauge(
            "mailrelay_tls_certificate_expiry_timestamp_seconds", "Unix time at which the server certificate in use expires (its notAfter).");
        _reloads = factory.CreateCounter(
            "mailrelay_tls_certificate_reloads_total", "Changes of the certificate files, by result: success (in use now) or failure (the previous one stays).", "result");
        _reloads.WithLabels(Success);
        _reloads.WithLabels(Failure);
    }

    public void InUse(DateTimeOffset notAfter) => _expiry.Set(notAfter.ToUnixTimeSeconds());

    public void Reloaded(bool succeeded) => _reloads.WithLabels(succeeded ? Success : Failure).Inc();
}
