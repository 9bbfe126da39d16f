using System.Text.Json;

namespace MailRelay.Configuration;

/// <summary>
/// Adaptive pacing (the seed's <c>adaptiveRate</c>). The tables are validated JSON objects whose keys are
/// <c>minDelay</c>, <c>maxDelay</c>, <c>initialDelay</c> (milliseconds), <c>backoffMultiplier</c>,
/// <c>recoveryRate</c>, <c>successThreshold</c>, <c>circuitBreakerThreshold</c>, <c>circuitBreakerDuration</c>
/// (milliseconds), and <c>enabled</c> in a per-domain entry.
/// </summary>
public sealed record AdaptiveRateSettings
{
    /// <summary>ADAPTIVE_RATE_ENABLED.</summary>
    public required bool Enabled { get; init; }

    /// <summary>ADAPTIVE_RATE_DEFAULTS: a JSON object of controller settings.</summary>
    public required JsonElement Defaults { get; init; }

    /// <summary>ADAPTIVE_RATE_DOMAINS: a JSON object, domain → object of controller settings.</summary>
    public required JsonElement Domains { get; init; }
}
