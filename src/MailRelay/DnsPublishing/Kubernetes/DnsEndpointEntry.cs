using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// One item of <c>spec.endpoints</c>: a record set (one name, one type, all its targets, one TTL), the shape of
/// external-dns's <c>endpoint.Endpoint</c>. <see cref="SetIdentifier"/>, <see cref="Labels"/> and
/// <see cref="ProviderSpecific"/> are never set by the relay but are carried through unchanged, so an operator's
/// provider setting on a record set (say, Cloudflare's proxied flag) survives the relay's updates.
/// </summary>
internal sealed class DnsEndpointEntry
{
    public string? DnsName { get; set; }

    public string? RecordType { get; set; }

    public List<string>? Targets { get; set; }

    /// <summary>Seconds; 0 or absent means the provider's default.</summary>
    [JsonPropertyName("recordTTL")]
    public long? RecordTtl { get; set; }

    public string? SetIdentifier { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public JsonElement? ProviderSpecific { get; set; }
}
