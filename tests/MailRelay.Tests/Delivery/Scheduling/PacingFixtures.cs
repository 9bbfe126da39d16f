using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>Pacing registries for scheduler tests, built from the same JSON tables the configuration carries.</summary>
internal static class PacingFixtures
{
    public static Func<TimeProvider, PacingRegistry> Registry(
        string adaptiveDefaults = "{}",
        bool adaptive = true,
        string rateLimitGlobal = "{}",
        string rateLimitDomains = "{}",
        bool rateLimit = false,
        string rateLimitCustomDomains = "{}")
    {
        return time => new PacingRegistry(
            new PacingOptions
            {
                RateLimit = new RateLimitSettings
                {
                    Enabled = rateLimit,
                    Global = Json(rateLimitGlobal),
                    Domains = Json(rateLimitDomains),
                    CustomDomains = Json(rateLimitCustomDomains),
                },
                AdaptiveRate = new AdaptiveRateSettings { Enabled = adaptive, Defaults = Json(adaptiveDefaults), Domains = Json("{}") },
                Warmup = WarmupSettings.Disabled,
                DataDirectory = Path.GetTempPath(),
            },
            time,
            NullLogger<PacingRegistry>.Instance);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
