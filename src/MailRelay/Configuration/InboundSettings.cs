namespace MailRelay.Configuration;

/// <summary>
/// INBOUND_* and DMARC_REPORTS_*: the feedback addresses of MAIL_DOMAINS that the relay takes mail for from anyone,
/// and what it does with that mail (docs/inbound.md).
/// </summary>
public sealed record InboundSettings
{
    /// <summary>The settings when nothing is configured: inbound mail off.</summary>
    public static InboundSettings Disabled { get; } = new()
    {
        Enabled = false,
        Recipients = [],
        ForwardTo = null,
        DmarcReports = new DmarcReportSettings { Enabled = false, Store = false, StorePath = string.Empty, MaxAge = TimeSpan.Zero },
    };

    /// <summary>INBOUND_ENABLED.</summary>
    public required bool Enabled { get; init; }

    /// <summary>INBOUND_RECIPIENTS: the local parts taken at every domain of MAIL_DOMAINS.</summary>
    public required IReadOnlyList<InboundRecipientPattern> Recipients { get; init; }

    /// <summary>INBOUND_FORWARD_TO: where mail that is not a report goes; null = kept under DATA_DIR/inbound.</summary>
    public required string? ForwardTo { get; init; }

    public required DmarcReportSettings DmarcReports { get; init; }
}

/// <summary>One entry of INBOUND_RECIPIENTS: a whole local part, or (ending in <c>+</c>) a prefix of one.</summary>
/// <param name="LocalPart">The local part, or the prefix including its <c>+</c>, lower case.</param>
/// <param name="IsPrefix">Whether the entry ended in <c>+</c>.</param>
public sealed record InboundRecipientPattern(string LocalPart, bool IsPrefix)
{
    public bool Matches(string localPart) => IsPrefix
        ? localPart.Length > LocalPart.Length && localPart.StartsWith(LocalPart, StringComparison.OrdinalIgnoreCase)
        : string.Equals(localPart, LocalPart, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => LocalPart;
}

/// <summary>DMARC_REPORTS_*: what becomes of DMARC aggregate reports (RFC 7489 §7.2) received on the feedback addresses.</summary>
public sealed record DmarcReportSettings
{
    /// <summary>DMARC_REPORTS_ENABLED: parse reports into metrics; false = they are mail like any other.</summary>
    public required bool Enabled { get; init; }

    /// <summary>DMARC_REPORTS_STORE: also keep each parsed report as JSON.</summary>
    public required bool Store { get; init; }

    /// <summary>DMARC_REPORTS_STORE_PATH, absolute.</summary>
    public required string StorePath { get; init; }

    /// <summary>DMARC_REPORTS_MAX_AGE: reports whose period ended longer ago are only counted; zero = no limit.</summary>
    public required TimeSpan MaxAge { get; init; }
}
