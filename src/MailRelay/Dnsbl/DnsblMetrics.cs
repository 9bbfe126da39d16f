using Prometheus;

namespace MailRelay.Dnsbl;

/// <summary>
/// The blocklist monitor's metrics. <c>mailrelay_dnsbl_listed</c> holds the last known state of each target on each
/// list: an error leaves it as it was (the list said nothing new), and a target that is no longer checked (a detected
/// address that changed) loses its series. Every error reason of every list exists from the start at 0.
/// </summary>
public sealed class DnsblMetrics
{
    private readonly Gauge _listed;
    private readonly Gauge _lastCheck;
    private readonly Counter _errors;

    public DnsblMetrics(CollectorRegistry registry, IEnumerable<DnsblList> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var factory = Metrics.WithCustomRegistry(registry);
        _listed = factory.CreateGauge("mailrelay_dnsbl_listed",
            "1 when the target (a sending address or domain) is listed on the blocklist at the last check that got an answer, else 0.", "list", "target");
        _lastCheck = factory.CreateGauge("mailrelay_dnsbl_last_check_timestamp_seconds",
            "Unix time the last blocklist check finished; 0 before the first.");
        _errors = factory.CreateCounter("mailrelay_dnsbl_errors_total",
            "Blocklist queries that gave no usable answer, by list and reason (timeout, dns_failure, refused, unexpected_answer, address_unknown).",
            "list", "reason");
        foreach (var list in lists)
        {
            foreach (var reason in Enum.GetValues<DnsblErrorReason>())
            {
                if (reason != DnsblErrorReason.AddressUnknown || list.Kind == DnsblListKind.Ip)
                {
                    _errors.WithLabels(list.Name, Label(reason));
                }
            }
        }
    }

    public void Known(DnsblResult result) => _listed.WithLabels(result.List.Name, result.Target).Set(result.State == DnsblState.Listed ? 1 : 0);

    public void Error(DnsblList list, DnsblErrorReason reason) => _errors.WithLabels(list.Name, Label(reason)).Inc();

    public void Forget(string list, string target) => _listed.RemoveLabelled(list, target);

    public void Finished(DateTimeOffset at) => _lastCheck.Set(at.ToUnixTimeMilliseconds() / 1000.0);

    public static string Label(DnsblErrorReason reason) => reason switch
    {
        DnsblErrorReason.Timeout => "timeout",
        DnsblErrorReason.DnsFailure => "dns_failure",
        DnsblErrorReason.Refused => "refused",
        DnsblErrorReason.UnexpectedAnswer => "unexpected_answer",
        _ => "address_unknown",
    };
}
