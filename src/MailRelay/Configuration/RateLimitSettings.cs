using System.Text.Json;

namespace MailRelay.Configuration;

/// <summary>
/// Static delivery limits (the seed's <c>rateLimit</c>). The tables are validated JSON objects whose keys are
/// <c>enabled</c>, <c>maxConnections</c>, <c>maxPerConnection</c>, <c>rate</c> (<c>"N/duration"</c>) and <c>delayMs</c>.
/// </summary>
public sealed record RateLimitSettings
{
    /// <summary>RATE_LIMIT_ENABLED.</summary>
    public required bool Enabled { get; init; }

    /// <summary>RATE_LIMIT_GLOBAL: a JSON object of limits that apply to every destination.</summary>
    public required JsonElement Global { get; init; }

    /// <summary>RATE_LIMIT_DOMAINS: a JSON object, domain → object of limits.</summary>
    public required JsonElement Domains { get; init; }

    /// <summary>
    /// RATE_LIMIT_CUSTOM_DOMAINS: a JSON object, exact recipient domain → object of limits. Unlike
    /// <see cref="Domains"/> these are not mapped to a provider; an empty object when not set.
    /// </summary>
    public JsonElement CustomDomains { get; init; } = EmptyTable;

    private static JsonElement EmptyTable { get; } = JsonDocument.Parse("{}").RootElement.Clone();
}
