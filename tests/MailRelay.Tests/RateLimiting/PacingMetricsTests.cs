using System.Text;
using MailRelay.RateLimiting;
using Prometheus;

namespace MailRelay.Tests.RateLimiting;

public sealed class PacingMetricsTests : IDisposable
{
    private static readonly ProviderKey Google = new("google.com");
    private readonly PacingFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Each_provider_shows_its_delay_circuit_counters_and_warm_up_at_scrape_time()
    {
        var registry = Metrics.NewCustomRegistry();
        var pacing = _fixture.Registry(
            _fixture.Options(
                ("ADAPTIVE_RATE_ENABLED", "true"),
                ("ADAPTIVE_RATE_DEFAULTS", """{"initialDelay": 4000, "backoffMultiplier": 2, "circuitBreakerThreshold": 2}"""),
                ("WARMUP_ENABLED", "true"), ("WARMUP_START_DATE", "2026-03-03"), ("WARMUP_DAILY_CAPS", "20,40")),
            new PacingMetrics(registry));
        var controller = pacing.Controller(Google);
        controller.Claim();
        controller.Claim();
        controller.Report(DeliveryOutcome.Accepted, wasProbe: false);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.True(pacing.TryConsumeWarmup(Google, out _));

        var text = await ScrapeAsync(registry);

        // The second reply is for a slot granted before the first backoff: it counts, but backs off only once.
        Assert.Contains("mailrelay_pacing_delay_seconds{provider=\"google.com\"} 8", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_circuit_state{provider=\"google.com\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_circuit_trips_total{provider=\"google.com\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_rate_limited_replies_total{provider=\"google.com\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_paced_waits_total{provider=\"google.com\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_sends_total{provider=\"google.com\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_warmup_sent_today{provider=\"google.com\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_warmup_daily_cap{provider=\"google.com\"} 20", text, StringComparison.Ordinal);

        _fixture.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Contains("mailrelay_pacing_circuit_state{provider=\"google.com\"} 2", await ScrapeAsync(registry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_restarts_the_providers_counters_from_zero()
    {
        var registry = Metrics.NewCustomRegistry();
        var pacing = _fixture.Registry(_fixture.Options(("ADAPTIVE_RATE_ENABLED", "true")), new PacingMetrics(registry));
        pacing.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.Contains("mailrelay_pacing_rate_limited_replies_total{provider=\"google.com\"} 1", await ScrapeAsync(registry), StringComparison.Ordinal);

        pacing.Reset(Google);

        var text = await ScrapeAsync(registry);
        Assert.Contains("mailrelay_pacing_rate_limited_replies_total{provider=\"google.com\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("mailrelay_pacing_delay_seconds{provider=\"google.com\"} 5", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_adaptive_pacing_off_no_controller_series_are_exported()
    {
        var registry = Metrics.NewCustomRegistry();
        var pacing = _fixture.Registry(
            _fixture.Options(("RATE_LIMIT_ENABLED", "true"), ("WARMUP_ENABLED", "true"), ("WARMUP_START_DATE", "2026-03-03"), ("WARMUP_DAILY_CAPS", "20,40")),
            new PacingMetrics(registry));
        pacing.Controller(Google).Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.True(pacing.TryConsumeWarmup(Google, out _));

        var text = await ScrapeAsync(registry);

        // Warm-up does not depend on adaptive pacing, so the provider is exported: the scrape is not empty.
        Assert.Contains("mailrelay_pacing_warmup_sent_today{provider=\"google.com\"} 1", text, StringComparison.Ordinal);
        string[] controllerSeries =
        [
            "mailrelay_pacing_delay_seconds{", "mailrelay_pacing_circuit_state{", "mailrelay_pacing_circuit_trips_total{",
            "mailrelay_pacing_rate_limited_replies_total{", "mailrelay_pacing_paced_waits_total{", "mailrelay_pacing_sends_total{",
        ];
        Assert.All(controllerSeries, series => Assert.DoesNotContain(series, text, StringComparison.Ordinal));
    }

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
