using System.Text.Json;

namespace MailRelay.RateLimiting;

/// <summary>
/// Controller settings for one provider (the seed's <c>adaptiveRate.defaults</c> overlaid by
/// <c>adaptiveRate.domains.&lt;d&gt;</c>). Delays are milliseconds in configuration.
/// </summary>
public sealed record AdaptiveSettings
{
    /// <summary>The seed's defaults, plus a breaker that trips after 5 rate-limit replies in a row for 5 minutes.</summary>
    public static AdaptiveSettings Default { get; } = new();

    public bool Enabled { get; init; } = true;

    public TimeSpan MinDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(5);

    public double BackoffMultiplier { get; init; } = 1.5;

    public double RecoveryRate { get; init; } = 0.9;

    public int SuccessThreshold { get; init; } = 5;

    public int CircuitBreakerThreshold { get; init; } = 5;

    public TimeSpan CircuitBreakerDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Overlays the keys present in <paramref name="table"/> on this record.</summary>
    public AdaptiveSettings Overlay(JsonElement table)
    {
        if (table.ValueKind != JsonValueKind.Object)
        {
            return this;
        }

        var settings = this;
        foreach (var field in table.EnumerateObject())
        {
            var value = field.Value;
            settings = field.Name switch
            {
                "enabled" => settings with { Enabled = value.GetBoolean() },
                "minDelay" => settings with { MinDelay = Milliseconds(value) },
                "maxDelay" => settings with { MaxDelay = Milliseconds(value) },
                "initialDelay" => settings with { InitialDelay = Milliseconds(value) },
                "backoffMultiplier" => settings with { BackoffMultiplier = value.GetDouble() },
                "recoveryRate" => settings with { RecoveryRate = value.GetDouble() },
                "successThreshold" => settings with { SuccessThreshold = value.GetInt32() },
                "circuitBreakerThreshold" => settings with { CircuitBreakerThreshold = value.GetInt32() },
                "circuitBreakerDuration" => settings with { CircuitBreakerDuration = Milliseconds(value) },
                _ => throw new ArgumentException($"Unknown adaptive rate key '{field.Name}'.", nameof(table)),
            };
        }

        return settings;
    }

    /// <summary>The initial delay pulled inside [min, max], so a misordered table cannot escape its bounds.</summary>
    internal TimeSpan BoundedInitialDelay => Clamp(InitialDelay);

    internal TimeSpan Clamp(TimeSpan delay)
    {
        var max = MaxDelay < MinDelay ? MinDelay : MaxDelay;
        return delay < MinDelay ? MinDelay : delay > max ? max : delay;
    }

    private static TimeSpan Milliseconds(JsonElement value) => TimeSpan.FromMilliseconds(value.GetInt64());
}
