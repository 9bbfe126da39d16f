namespace MailRelay.Configuration;

/// <summary>The external-dns provider's settings: the DNSEndpoint the relay keeps.</summary>
public sealed record ExternalDnsSettings
{
    /// <summary>DNS_ENDPOINT_NAME: the DNSEndpoint object's name.</summary>
    public required string EndpointName { get; init; }

    /// <summary>DNS_ENDPOINT_LABELS: labels on the object (for external-dns's <c>--label-filter</c>).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
}
