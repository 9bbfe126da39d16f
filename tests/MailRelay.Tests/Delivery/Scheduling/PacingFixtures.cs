using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.RateLimiting;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>Pacing registries for scheduler tests, built from the same JSON tables the configuration carries.</summary>
internal static class PacingFixtures
{
    public static Func<TimeProvider, PacingRegistry> Registry(
        string adaptiveDefaults = "{}",
        bool adaptive = true,
        string rateLimitGlobal = "{}",
        string rateLimitDomains = "{}",
        bool rateLimit = false)
    {
        return time =>
        {
            var resolver = new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true));
            var limits = StaticLimiter.FromSettings(
                new RateLimitSettings { Enabled = rateLimit, Global = Json(rateLimitGlobal), Domains = Json(rateLimitDomains) }, resolver, time);
            var settings = adaptive ? AdaptiveSettings.Default.Overlay(Json(adaptiveDefaults)) : AdaptiveSettings.Default with { Enabled = false };
            return new PacingRegistry(limits, resolver, settings, time, active: true);
        };
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
