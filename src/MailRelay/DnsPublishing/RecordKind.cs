namespace MailRelay.DnsPublishing;

/// <summary>
/// What a published record is for. Ownership is per kind at a name: the SPF TXT of <c>example.com</c> can be ours
/// while a verification TXT beside it is not, and its MX may belong to the domain's mailbox provider.
/// </summary>
public enum RecordKind
{
    /// <summary>A of MAIL_HOSTNAME.</summary>
    A,

    /// <summary>AAAA of MAIL_HOSTNAME.</summary>
    Aaaa,

    /// <summary>MX of a mail domain, naming MAIL_HOSTNAME.</summary>
    Mx,

    /// <summary>The <c>v=spf1</c> TXT of a mail domain.</summary>
    Spf,

    /// <summary>The TXT at <c>selector._domainkey.domain</c>.</summary>
    Dkim,

    /// <summary>The <c>v=DMARC1</c> TXT at <c>_dmarc.domain</c>.</summary>
    Dmarc,
}
