using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>Replicas of the shared store and of the pacing registry over one test's own redis-server.</summary>
internal static class SharedPacingFixture
{
    public static RedisSettings Settings(int port, string prefix, int replicas = 2) => RedisSettings.Disabled with
    {
        Host = "127.0.0.1",
        Port = port,
        KeyPrefix = prefix,
        Replicas = replicas,
        Timeout = TimeSpan.FromSeconds(2),
    };

    public static RedisSharedPacing Replica(RedisServer server, string prefix, TimeProvider time, int replicas = 2) =>
        Replica(server.Port, prefix, time, replicas);

    public static RedisSharedPacing Replica(int port, string prefix, TimeProvider time, int replicas = 2) =>
        new(Settings(port, prefix, replicas), new ConfiguredReplicaCount(replicas), time, NullLogger<RedisSharedPacing>.Instance);

    public static PacingRegistry Registry(
        RedisSharedPacing? shared,
        TimeProvider time,
        string rateLimitDomains = "{}",
        string adaptiveDefaults = "{}",
        bool adaptive = false,
        WarmupSettings? warmup = null) =>
        new(
            new PacingOptions
            {
                RateLimit = new RateLimitSettings
                {
                    Enabled = true,
                    Global = Json("{}"),
                    Domains = Json(rateLimitDomains),
                    CustomDomains = Json("{}"),
                },
                AdaptiveRate = new AdaptiveRateSettings { Enabled = adaptive, Defaults = Json(adaptiveDefaults), Domains = Json("{}") },
                Warmup = warmup ?? WarmupSettings.Disabled,
                DataDirectory = Path.GetTempPath(),
            },
            time,
            NullLogger<PacingRegistry>.Instance,
            null,
            shared);

    public static string Prefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
