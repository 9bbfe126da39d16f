using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// Source-generated serialization for the API's snake_case fields (<c>result_info</c>, <c>total_pages</c>); absent
/// optional fields (an MX-only <c>priority</c>) stay out of request bodies.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CloudflareEnvelope<IReadOnlyList<CloudflareZoneJson>>))]
[JsonSerializable(typeof(CloudflareEnvelope<IReadOnlyList<CloudflareRecordJson>>))]
[JsonSerializable(typeof(CloudflareEnvelope<CloudflareRecordJson>))]
[JsonSerializable(typeof(CloudflareEnvelope<JsonElement>))]
[JsonSerializable(typeof(CloudflareRecordJson))]
internal sealed partial class CloudflareJsonContext : JsonSerializerContext;
