namespace MailRelay.Dns;

/// <summary>What an address lookup (A / AAAA) for a host found.</summary>
public enum AddressLookupStatus
{
    /// <summary>At least one address of an allowed family.</summary>
    Found,

    /// <summary>NXDOMAIN, or no record of the allowed families.</summary>
    NotFound,

    /// <summary>SERVFAIL, REFUSED, a timeout or an unreachable server.</summary>
    TemporaryFailure,
}
