namespace MailRelay.Dns;

/// <summary>What an MX lookup for a mail domain found.</summary>
public enum MxLookupStatus
{
    /// <summary>MX records, ordered for delivery.</summary>
    Found,

    /// <summary>The domain exists but has no MX: deliver to its own address records (RFC 5321 §5.1).</summary>
    NoMx,

    /// <summary>A null MX (RFC 7505): the domain accepts no mail.</summary>
    NullMx,

    /// <summary>NXDOMAIN: the domain does not exist.</summary>
    DomainNotFound,

    /// <summary>SERVFAIL, REFUSED, a timeout or an unreachable server: try again later.</summary>
    TemporaryFailure,
}
