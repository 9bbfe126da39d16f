using System.Net;
using MailRelay.Dnsbl;

namespace MailRelay.Configuration;

/// <summary>DNSBL_*: which sending addresses and domains are looked up on which blocklists, and how often.</summary>
public sealed record DnsblSettings
{
    /// <summary>DNSBL_ENABLED, with its default resolved: on when there is something to check.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Why the monitor is off, for the line the daemon logs at start; null when it is on.</summary>
    public required string? OffReason { get; init; }

    /// <summary>DNSBL_INTERVAL.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Where the sending addresses come from.</summary>
    public required DnsblAddressOrigin AddressOrigin { get; init; }

    /// <summary>DNSBL_IPS, or DNS_EXTERNAL_IPS; empty when the addresses are detected or not checked.</summary>
    public required IReadOnlyList<IPAddress> Addresses { get; init; }

    /// <summary>DNSBL_DOMAINS, with MAIL_DOMAINS as its default.</summary>
    public required IReadOnlyList<string> Domains { get; init; }

    /// <summary>DNSBL_IP_LISTS.</summary>
    public required IReadOnlyList<DnsblList> IpLists { get; init; }

    /// <summary>DNSBL_DOMAIN_LISTS.</summary>
    public required IReadOnlyList<DnsblList> DomainLists { get; init; }

    public IReadOnlyList<DnsblList> Lists => [.. IpLists, .. DomainLists];
}
