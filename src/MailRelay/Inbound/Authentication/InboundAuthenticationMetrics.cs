using Prometheus;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// Verdicts of inbound verification: one per message and method (for DKIM the best signature's result), every result of
/// every method present from the start at 0; refusals by rule; quarantined messages.
/// </summary>
public sealed class InboundAuthenticationMetrics
{
    public const string RefusedSpfFail = "spf_fail";
    public const string RefusedSpfSoftfail = "spf_softfail";
    public const string RefusedDmarcReject = "dmarc_reject";

    private readonly Counter _verdicts;
    private readonly Counter _refused;
    private readonly Counter _quarantined;

    public InboundAuthenticationMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _verdicts = factory.CreateCounter("mailrelay_inbound_auth_verdicts_total",
            "Inbound messages verified, by method (spf, dkim, dmarc) and result (RFC 8601 keywords; dkim: the best signature).", "method", "result");
        _refused = factory.CreateCounter("mailrelay_inbound_auth_refused_total",
            "Inbound messages refused by a verification rule (spf_fail, spf_softfail, dmarc_reject).", "rule");
        _quarantined = factory.CreateCounter("mailrelay_inbound_auth_quarantined_total",
            "Inbound messages that failed DMARC under p=quarantine (or an unenforced p=reject) and were marked for quarantine.");
        foreach (var (method, results) in new[] { ("spf", AuthResult.SpfResults), ("dkim", AuthResult.DkimResults), ("dmarc", AuthResult.DmarcResults) })
        {
            foreach (var result in results)
            {
                _verdicts.WithLabels(method, result);
            }
        }

        foreach (var rule in (string[])[RefusedSpfFail, RefusedSpfSoftfail, RefusedDmarcReject])
        {
            _refused.WithLabels(rule);
        }
    }

    public void Verdict(string method, string result) => _verdicts.WithLabels(method, result).Inc();

    public void Refused(string rule) => _refused.WithLabels(rule).Inc();

    public void Quarantined() => _quarantined.Inc();
}
