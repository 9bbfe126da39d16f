using System.Net;
using MailRelay.DnsPublishing;

namespace MailRelay.Configuration;

/// <summary>DNS automation: which records, their content, where they go and how the public addresses are found.</summary>
public sealed record DnsSettings
{
    /// <summary>DNS_PROVIDER.</summary>
    public required DnsProviderKind Provider { get; init; }

    /// <summary>DNS_RECORDS: the kinds to publish (<c>a</c> stands for A and AAAA).</summary>
    public required IReadOnlySet<RecordKind> Records { get; init; }

    /// <summary>DNS_TTL, seconds.</summary>
    public required int Ttl { get; init; }

    /// <summary>DNS_MX_PRIORITY.</summary>
    public required int MxPriority { get; init; }

    /// <summary>DNS_SPF_POLICY: the closing <c>all</c> mechanism, <c>~all</c>, <c>-all</c> or <c>?all</c>.</summary>
    public required string SpfPolicy { get; init; }

    /// <summary>DNS_SPF_INCLUDE: <c>include:</c> mechanisms (e.g. the smarthost's), in order.</summary>
    public required IReadOnlyList<string> SpfIncludes { get; init; }

    /// <summary>DNS_DMARC_POLICY: none, quarantine or reject.</summary>
    public required string DmarcPolicy { get; init; }

    /// <summary>DNS_DMARC_RUA: the aggregate report address; null = postmaster@ each domain.</summary>
    public required string? DmarcReportAddress { get; init; }

    /// <summary>DNS_DMARC_PCT; null = no pct tag (100).</summary>
    public required int? DmarcPercent { get; init; }

    /// <summary>DNS_OWNER_ID: written in the ownership markers; only records marked with it are ever changed.</summary>
    public required string OwnerId { get; init; }

    /// <summary>DNS_EXTERNAL_IPS: the public addresses; when given they win over detection.</summary>
    public required IReadOnlyList<IPAddress> ExternalIps { get; init; }

    /// <summary>DNS_IP_DETECTION.</summary>
    public required bool IpDetection { get; init; }

    /// <summary>DNS_IP_DETECT_URLS: services that answer with the caller's public address, tried in order.</summary>
    public required IReadOnlyList<Uri> IpDetectUrls { get; init; }

    /// <summary>DNS_KUBERNETES_SERVICE: the relay's own Service, whose LoadBalancer address is its public address in a cluster; null = not used.</summary>
    public required string? KubernetesService { get; init; }

    /// <summary>DNS_KUBERNETES_NAMESPACE: namespace of that Service and of the DNSEndpoint; null = the pod's own (from its service account).</summary>
    public required string? KubernetesNamespace { get; init; }

    /// <summary>DNS_CHECK_INTERVAL, with its default resolved: 5 minutes when detecting, 6 hours with DNS_EXTERNAL_IPS.</summary>
    public required TimeSpan CheckInterval { get; init; }

    /// <summary>CLOUDFLARE_*; null unless DNS_PROVIDER is cloudflare.</summary>
    public required CloudflareSettings? Cloudflare { get; init; }

    /// <summary>DNS_RFC2136_*; null unless DNS_PROVIDER is rfc2136.</summary>
    public required Rfc2136Settings? Rfc2136 { get; init; }

    /// <summary>DNS_ENDPOINT_*; null unless DNS_PROVIDER is external-dns.</summary>
    public required ExternalDnsSettings? ExternalDns { get; init; }

    /// <summary>True when the records need the relay's public addresses (A/AAAA, or SPF for direct delivery).</summary>
    public static bool NeedsAddresses(IReadOnlySet<RecordKind> records, bool viaSmarthost)
    {
        ArgumentNullException.ThrowIfNull(records);
        return records.Contains(RecordKind.A) || (records.Contains(RecordKind.Spf) && !viaSmarthost);
    }
}
