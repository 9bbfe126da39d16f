using Prometheus;

namespace MailRelay.Inbound.Dmarc;

/// <summary>
/// What DMARC aggregate reports say about our mail (docs/metrics.md). Reporter names and source addresses come from
/// outside, so their label values are capped: past <see cref="MaxReporters"/> reporters or
/// <see cref="MaxSourceIps"/> source addresses (since the start) the rest are counted under <c>other</c>. The
/// reporter, disposition and alignment results are one metric and the source address another, so the series of
/// the two do not multiply.
/// </summary>
public sealed class DmarcMetrics
{
    public const int MaxReporters = 50;

    public const int MaxSourceIps = 200;

    public const string OtherLabel = "other";

    private readonly Counter _reports;
    private readonly Counter _messages;
    private readonly Counter _sources;
    private readonly HashSet<string> _reporters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sourceIps = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public DmarcMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _reports = factory.CreateCounter(
            "mailrelay_dmarc_reports_total", "DMARC aggregate reports received, by result (parsed, malformed, too_old).", "result");
        _messages = factory.CreateCounter(
            "mailrelay_dmarc_messages_total",
            "Messages that parsed DMARC reports tell of, by reporter (org_name), disposition (none, quarantine, reject) and DMARC-aligned DKIM and SPF results (pass, fail).",
            "reporter",
            "disposition",
            "dkim",
            "spf");
        _sources = factory.CreateCounter(
            "mailrelay_dmarc_source_messages_total",
            "Messages that parsed DMARC reports tell of, by source IP address and DMARC result (pass, fail).",
            "source_ip",
            "result");
        foreach (var result in (string[])["parsed", "malformed", "too_old"])
        {
            _reports.WithLabels(result);
        }
    }

    public void Malformed() => _reports.WithLabels("malformed").Inc();

    public void TooOld() => _reports.WithLabels("too_old").Inc();

    public double Reports(string result) => _reports.WithLabels(result).Value;

    public void Parsed(DmarcReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports.WithLabels("parsed").Inc();
        var reporter = Capped(_reporters, Sanitize(report.OrgName), MaxReporters);
        foreach (var record in report.Records)
        {
            _messages.WithLabels(reporter, record.Disposition, record.Dkim, record.Spf).Inc(record.Count);
            _sources.WithLabels(Capped(_sourceIps, record.SourceIp, MaxSourceIps), record.Passed ? "pass" : "fail").Inc(record.Count);
        }
    }

    private string Capped(HashSet<string> seen, string value, int max)
    {
        lock (_lock)
        {
            if (seen.Contains(value))
            {
                return value;
            }

            if (seen.Count >= max)
            {
                return OtherLabel;
            }

            seen.Add(value);
            return value;
        }
    }

    /// <summary>A reporter name as a label value: printable, at most 64 characters.</summary>
    private static string Sanitize(string name)
    {
        var cleaned = new string(name.Where(c => !char.IsControl(c)).Take(64).ToArray()).Trim();
        return cleaned.Length == 0 || cleaned == OtherLabel ? "unnamed" : cleaned;
    }
}
