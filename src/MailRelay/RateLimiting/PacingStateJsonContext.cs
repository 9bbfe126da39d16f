using System.Text.Json.Serialization;

namespace MailRelay.RateLimiting;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PacingState))]
internal sealed partial class PacingStateJsonContext : JsonSerializerContext;
