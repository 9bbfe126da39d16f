using System.Text.Json;
using MailRelay.Configuration;

namespace MailRelay.RateLimiting;

/// <summary>Everything delivery pacing takes from the configuration, plus where its state lives.</summary>
public sealed record PacingOptions
{
    /// <summary>How often, at most, changed state is written to disk.</summary>
    public static readonly TimeSpan DefaultSaveInterval = TimeSpan.FromSeconds(5);

    /// <summary>The shortest age up to which saved adaptive state is still taken over at start.</summary>
    public static readonly TimeSpan MinimumRestoreWindow = TimeSpan.FromHours(1);

    /// <summary>Learned domain → provider pairs kept in the state file; the in-memory cache may hold more.</summary>
    public const int DefaultPersistedLearnedDomains = 10_000;

    public required RateLimitSettings RateLimit { get; init; }

    public required AdaptiveRateSettings AdaptiveRate { get; init; }

    public required WarmupSettings Warmup { get; init; }

    /// <summary>DATA_DIR; the state is <c>DATA_DIR/pacing/state.json</c>.</summary>
    public required string DataDirectory { get; init; }

    public TimeSpan SaveInterval { get; init; } = DefaultSaveInterval;

    public int PersistedLearnedDomains { get; init; } = DefaultPersistedLearnedDomains;

    /// <summary>
    /// Saved adaptive state younger than this is restored at start: an hour, or the longest circuit-breaker pause
    /// configured when that is longer, so a pause in force when the daemon stopped is still honoured.
    /// </summary>
    public TimeSpan RestoreWindow
    {
        get
        {
            var longest = MinimumRestoreWindow;
            foreach (var settings in ConfiguredAdaptiveSettings())
            {
                if (settings.CircuitBreakerDuration > longest)
                {
                    longest = settings.CircuitBreakerDuration;
                }
            }

            return longest;
        }
    }

    public static PacingOptions FromConfiguration(RelayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new PacingOptions
        {
            RateLimit = configuration.RateLimit,
            AdaptiveRate = configuration.AdaptiveRate,
            Warmup = configuration.Warmup,
            DataDirectory = configuration.DataDirectory,
        };
    }

    /// <summary>The defaults overlaid by ADAPTIVE_RATE_DEFAULTS, and that overlaid by each domain entry.</summary>
    internal IEnumerable<AdaptiveSettings> ConfiguredAdaptiveSettings()
    {
        var defaults = AdaptiveSettings.Default.Overlay(AdaptiveRate.Defaults);
        yield return defaults;
        if (AdaptiveRate.Domains.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in AdaptiveRate.Domains.EnumerateObject())
            {
                yield return defaults.Overlay(entry.Value);
            }
        }
    }
}
