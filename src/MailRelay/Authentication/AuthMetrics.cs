using Prometheus;

namespace MailRelay.Authentication;

/// <summary>SMTP AUTH counters, registered in the daemon's own Prometheus registry (listed in docs/authentication.md).</summary>
public sealed class AuthMetrics
{
    public const string Success = "success";
    public const string Failure = "failure";

    private readonly Counter _attempts;

    public AuthMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _attempts = factory.CreateCounter("mailrelay_smtp_auth_total", "SMTP AUTH credential checks, by result (success, failure).", "result");
    }

    public void Succeeded() => _attempts.WithLabels(Success).Inc();

    public void Failed() => _attempts.WithLabels(Failure).Inc();

    public double Count(string result) => _attempts.WithLabels(result).Value;
}
