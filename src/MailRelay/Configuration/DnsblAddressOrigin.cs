namespace MailRelay.Configuration;

/// <summary>Where the blocklist monitor takes the sending addresses from.</summary>
public enum DnsblAddressOrigin
{
    /// <summary>No address is checked (only domains, if any).</summary>
    None,

    /// <summary>DNSBL_IPS.</summary>
    DnsblIps,

    /// <summary>DNS_EXTERNAL_IPS, the addresses DNS publishing uses.</summary>
    DnsExternalIps,

    /// <summary>The public address DNS publishing detects (DNS_KUBERNETES_SERVICE or DNS_IP_DETECT_URLS), at each check.</summary>
    Detected,
}
