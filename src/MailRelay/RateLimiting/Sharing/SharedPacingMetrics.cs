using Prometheus;

namespace MailRelay.RateLimiting.Sharing;

/// <summary>The state of shared pacing in <c>/metrics</c>, read from <see cref="RedisSharedPacing.Status"/> at every scrape.</summary>
internal static class SharedPacingMetrics
{
    public static void Register(CollectorRegistry registry, RedisSharedPacing shared)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var connected = factory.CreateGauge("mailrelay_redis_connected", "1 while pacing is shared through Redis, 0 while this replica paces on its share of each ceiling.");
        var seconds = factory.CreateCounter("mailrelay_redis_fallback_seconds_total", "Seconds this replica paced on its share of each ceiling because Redis was unreachable.");
        var transitions = factory.CreateCounter("mailrelay_redis_fallback_transitions_total", "Times this replica went from shared pacing to its local share.");
        var errors = factory.CreateCounter("mailrelay_redis_script_errors_total", "Pacing scripts that Redis answered with an error (or with an answer that could not be read).");
        var replicas = factory.CreateGauge("mailrelay_redis_fallback_replicas", "The replica count each ceiling is divided by while Redis is unreachable.");
        registry.AddBeforeCollectCallback(() =>
        {
            var status = shared.Status();
            connected.Set(status.Connected ? 1 : 0);
            seconds.IncTo(status.FallbackSeconds);
            transitions.IncTo(status.Transitions);
            errors.IncTo(status.ScriptErrors);
            replicas.Set(status.Replicas);
        });
    }
}
