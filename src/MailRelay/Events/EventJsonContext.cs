using System.Text.Json.Serialization;

namespace MailRelay.Events;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OutboxLine))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
