namespace MailRelay.Configuration;

/// <summary>INBOUND_SPF_*, INBOUND_DKIM_*, INBOUND_DMARC_*: which checks run on inbound mail and which results refuse it.</summary>
public sealed record InboundSecuritySettings
{
    /// <summary>The embedded defaults, as the chart's <c>inbound.security</c> has them.</summary>
    public static InboundSecuritySettings Default { get; } = new();

    /// <summary>INBOUND_SPF_ENABLED.</summary>
    public bool SpfEnabled { get; init; } = true;

    /// <summary>INBOUND_SPF_REJECT_FAIL.</summary>
    public bool SpfRejectFail { get; init; } = true;

    /// <summary>INBOUND_SPF_REJECT_SOFTFAIL.</summary>
    public bool SpfRejectSoftfail { get; init; }

    /// <summary>INBOUND_DKIM_ENABLED.</summary>
    public bool DkimEnabled { get; init; } = true;

    /// <summary>INBOUND_DMARC_ENABLED.</summary>
    public bool DmarcEnabled { get; init; } = true;

    /// <summary>INBOUND_DMARC_REJECT_ON_FAIL.</summary>
    public bool DmarcRejectOnFail { get; init; } = true;

    /// <summary>INBOUND_DMARC_QUARANTINE_ON_FAIL.</summary>
    public bool DmarcQuarantineOnFail { get; init; } = true;
}
