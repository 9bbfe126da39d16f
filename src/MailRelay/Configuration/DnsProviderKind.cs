namespace MailRelay.Configuration;

/// <summary>DNS_PROVIDER: where the relay publishes its records.</summary>
public enum DnsProviderKind
{
    /// <summary>Nothing is published (the records are printed by <c>dkim show</c> and <c>dns plan</c>).</summary>
    None,

    /// <summary>The Cloudflare v4 API with an API token.</summary>
    Cloudflare,

    /// <summary>A DNSEndpoint object that external-dns carries out.</summary>
    ExternalDns,

    /// <summary>RFC 2136 dynamic UPDATE, signed with TSIG (BIND, Knot, PowerDNS, Windows DNS).</summary>
    Rfc2136,
}
