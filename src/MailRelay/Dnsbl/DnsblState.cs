namespace MailRelay.Dnsbl;

/// <summary>What one check of one target on one list found.</summary>
public enum DnsblState
{
    /// <summary>NXDOMAIN (or a name with no address): not listed.</summary>
    Clean,

    Listed,

    /// <summary>The list could not say: a timeout, a DNS failure, an error code or an answer it does not define.</summary>
    Error,
}
