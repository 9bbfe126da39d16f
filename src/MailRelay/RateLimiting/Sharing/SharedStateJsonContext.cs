using System.Text.Json.Serialization;

namespace MailRelay.RateLimiting.Sharing;

/// <summary>The adaptive state as replicas exchange it through Redis.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdaptiveControllerState))]
internal sealed partial class SharedStateJsonContext : JsonSerializerContext;
