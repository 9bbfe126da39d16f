using System.Text.Json;
using MailRelay.Configuration.Syntax;

namespace MailRelay.RateLimiting;

/// <summary>
/// One table of hard ceilings (the seed's <c>rateLimit.global</c> or <c>rateLimit.domains.&lt;d&gt;</c>). A missing
/// key means no ceiling of that kind.
/// </summary>
public sealed record StaticLimits
{
    public static StaticLimits None { get; } = new();

    public bool Enabled { get; init; } = true;

    public int? MaxConnections { get; init; }

    public int? MaxPerConnection { get; init; }

    /// <summary>At most <see cref="RateCount"/> messages in any window of <see cref="RateInterval"/>.</summary>
    public int? RateCount { get; init; }

    public TimeSpan RateInterval { get; init; }

    public TimeSpan MinimumDelay { get; init; }

    /// <summary>Types a table that configuration has already validated (<see cref="JsonTableSyntax.RateLimitFields"/>).</summary>
    public static StaticLimits FromJson(JsonElement table)
    {
        if (table.ValueKind != JsonValueKind.Object)
        {
            return None;
        }

        var limits = new StaticLimits();
        foreach (var field in table.EnumerateObject())
        {
            limits = field.Name switch
            {
                "enabled" => limits with { Enabled = field.Value.GetBoolean() },
                "maxConnections" => limits with { MaxConnections = field.Value.GetInt32() },
                "maxPerConnection" => limits with { MaxPerConnection = field.Value.GetInt32() },
                "delayMs" => limits with { MinimumDelay = TimeSpan.FromMilliseconds(field.Value.GetInt64()) },
                "rate" => WithRate(limits, field.Value.GetString()!),
                _ => throw new ArgumentException($"Unknown rate limit key '{field.Name}'.", nameof(table)),
            };
        }

        return limits;
    }

    /// <summary>The stricter of two tables, key by key; used when several configured domains share one provider.</summary>
    public StaticLimits Tighten(StaticLimits other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Enabled)
        {
            return this;
        }

        if (!Enabled)
        {
            return other;
        }

        var rateFromOther = other.RateCount is { } c && (RateCount is null || PerSecond(c, other.RateInterval) < PerSecond(RateCount.Value, RateInterval));
        return new StaticLimits
        {
            MaxConnections = Min(MaxConnections, other.MaxConnections),
            MaxPerConnection = Min(MaxPerConnection, other.MaxPerConnection),
            RateCount = rateFromOther ? other.RateCount : RateCount,
            RateInterval = rateFromOther ? other.RateInterval : RateInterval,
            MinimumDelay = MinimumDelay > other.MinimumDelay ? MinimumDelay : other.MinimumDelay,
        };
    }

    /// <summary>
    /// One replica's share of these ceilings when <paramref name="replicas"/> pace without each other (shared pacing
    /// with Redis unreachable): connections and rate divided (rounded down, so the sum never exceeds the whole; a rate
    /// smaller than the replica count gives each one slot per a longer interval), the gap multiplied. A connection
    /// ceiling smaller than the replica count leaves each replica one connection: less would stop delivery.
    /// </summary>
    public StaticLimits ShareOf(int replicas)
    {
        if (replicas <= 1 || !Enabled)
        {
            return this;
        }

        var rateCount = RateCount;
        var rateInterval = RateInterval;
        if (RateCount is { } count)
        {
            if (count >= replicas)
            {
                rateCount = count / replicas;
            }
            else
            {
                rateCount = 1;
                rateInterval = RateInterval * Math.Ceiling((double)replicas / count);
            }
        }

        return this with
        {
            MaxConnections = MaxConnections is { } max ? Math.Max(1, max / replicas) : null,
            RateCount = rateCount,
            RateInterval = rateInterval,
            MinimumDelay = MinimumDelay * replicas,
        };
    }

    private static StaticLimits WithRate(StaticLimits limits, string text) =>
        JsonTableSyntax.TryParseRate(text, out var count, out var interval)
            ? limits with { RateCount = count, RateInterval = interval }
            : throw new ArgumentException($"Rate '{text}' is not N/duration.", nameof(text));

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static double PerSecond(int count, TimeSpan interval) => count / interval.TotalSeconds;
}
