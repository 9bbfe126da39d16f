namespace MailRelay.Inbound.Dmarc;

/// <summary>A DMARC aggregate report (RFC 7489 appendix C), the parts of it the relay counts and stores.</summary>
public sealed record DmarcReport
{
    /// <summary>report_metadata/org_name: the reporter (google.com, Yahoo, Enterprise Outlook…).</summary>
    public required string OrgName { get; init; }

    public string? Email { get; init; }

    public required string ReportId { get; init; }

    public required DateTimeOffset Begin { get; init; }

    public required DateTimeOffset End { get; init; }

    /// <summary>policy_published/domain: our domain the report is about.</summary>
    public required string Domain { get; init; }

    /// <summary>policy_published/p.</summary>
    public string? Policy { get; init; }

    public required IReadOnlyList<DmarcReportRecord> Records { get; init; }
}

/// <summary>One row: messages from one source address with one evaluation.</summary>
/// <param name="SourceIp">row/source_ip.</param>
/// <param name="Count">row/count.</param>
/// <param name="Disposition">policy_evaluated/disposition: none, quarantine, reject.</param>
/// <param name="Dkim">policy_evaluated/dkim: the DMARC-aligned DKIM result, pass or fail.</param>
/// <param name="Spf">policy_evaluated/spf: the DMARC-aligned SPF result, pass or fail.</param>
/// <param name="HeaderFrom">identifiers/header_from.</param>
/// <param name="EnvelopeFrom">identifiers/envelope_from, when given.</param>
/// <param name="DkimResults">auth_results/dkim as domain=result.</param>
/// <param name="SpfResults">auth_results/spf as domain=result.</param>
public sealed record DmarcReportRecord(
    string SourceIp,
    long Count,
    string Disposition,
    string Dkim,
    string Spf,
    string? HeaderFrom,
    string? EnvelopeFrom,
    IReadOnlyList<string> DkimResults,
    IReadOnlyList<string> SpfResults)
{
    /// <summary>DMARC passes when either aligned identifier passes (RFC 7489 §6.6.2).</summary>
    public bool Passed => Dkim == "pass" || Spf == "pass";
}
