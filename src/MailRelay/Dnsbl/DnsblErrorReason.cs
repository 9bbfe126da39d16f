namespace MailRelay.Dnsbl;

/// <summary>Why a check ended in <see cref="DnsblState.Error"/>; the <c>reason</c> label of mailrelay_dnsbl_errors_total.</summary>
public enum DnsblErrorReason
{
    /// <summary>No answer from the resolvers (DNS_SERVERS) in time.</summary>
    Timeout,

    /// <summary>The resolver answered with a failure (SERVFAIL, REFUSED, …), not NXDOMAIN.</summary>
    DnsFailure,

    /// <summary>The list answered one of its error codes: query refused, over quota, public resolver, invalid query.</summary>
    Refused,

    /// <summary>An answer the list does not define.</summary>
    UnexpectedAnswer,

    /// <summary>The sending addresses could not be found (address detection failed), so IP lists were not asked.</summary>
    AddressUnknown,
}
