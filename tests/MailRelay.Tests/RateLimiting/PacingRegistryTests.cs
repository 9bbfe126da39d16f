using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

public sealed class PacingRegistryTests : IDisposable
{
    private static readonly ProviderKey Google = new("google.com");
    private static readonly ProviderKey Outlook = new("outlook.com");
    private static readonly ProviderKey Other = new("example.org");
    private readonly PacingFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void With_everything_off_pacing_is_inactive_and_controllers_grant_at_once()
    {
        var registry = _fixture.Registry();

        Assert.False(registry.IsActive);
        Assert.False(registry.Controller(Google).Settings.Enabled);
        Assert.True(registry.TryConsumeWarmup(Google, out var retryAt));
        Assert.Equal(_fixture.Time.GetUtcNow(), retryAt);
        Assert.Null(registry.DomainScope("partner.example"));
    }

    [Theory]
    [InlineData("RATE_LIMIT_ENABLED", "true")]
    [InlineData("ADAPTIVE_RATE_ENABLED", "true")]
    [InlineData("WARMUP_ENABLED", "true")]
    public void Any_one_of_static_adaptive_or_warm_up_makes_pacing_active(string variable, string value)
    {
        var registry = _fixture.Registry((variable, value), ("WARMUP_START_DATE", "2026-03-01"));

        Assert.True(registry.IsActive);
    }

    [Fact]
    public void Controller_settings_overlay_defaults_then_every_domain_of_the_provider()
    {
        var registry = _fixture.Registry(
            ("ADAPTIVE_RATE_ENABLED", "true"),
            ("ADAPTIVE_RATE_DEFAULTS", """{"minDelay": 2000, "successThreshold": 7, "circuitBreakerThreshold": 3}"""),
            ("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"minDelay": 15000, "initialDelay": 20000}, "googlemail.com": {"maxDelay": 90000, "circuitBreakerDuration": 600000}, "outlook.com": {"enabled": false}}"""));

        var google = registry.Controller(Google).Settings;
        var other = registry.Controller(Other).Settings;

        Assert.Equal(TimeSpan.FromSeconds(15), google.MinDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), google.InitialDelay);
        Assert.Equal(TimeSpan.FromSeconds(90), google.MaxDelay);
        Assert.Equal(TimeSpan.FromMinutes(10), google.CircuitBreakerDuration);
        Assert.Equal(7, google.SuccessThreshold);
        Assert.Equal(3, google.CircuitBreakerThreshold);
        Assert.Equal(TimeSpan.FromSeconds(2), other.MinDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), other.MaxDelay);
        Assert.True(other.Enabled);
        Assert.False(registry.Controller(Outlook).Settings.Enabled);
        Assert.Same(registry.Controller(Google), registry.Controller(Google));
        Assert.Equal(TimeSpan.FromSeconds(20), registry.Controller(Google).CurrentDelay);
    }

    [Fact]
    public void Warm_up_applies_to_the_providers_of_the_listed_domains_only()
    {
        var registry = _fixture.Registry(
            ("WARMUP_ENABLED", "true"), ("WARMUP_START_DATE", "2026-03-03"), ("WARMUP_DAILY_CAPS", "2,4"), ("WARMUP_DOMAINS", "gmail.com"));

        Assert.True(registry.WarmupApplies(Google));
        Assert.False(registry.WarmupApplies(Outlook));
        Assert.True(registry.TryConsumeWarmup(Google, out _));
        Assert.True(registry.TryConsumeWarmup(Google, out _));
        Assert.False(registry.TryConsumeWarmup(Google, out var retryAt));
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 0, 0, 0, TimeSpan.Zero), retryAt);
        Assert.All(Enumerable.Range(0, 10), i => Assert.True(registry.TryConsumeWarmup(Outlook, out _)));
        Assert.Equal([new WarmupSnapshot(Google, 2, 2)], registry.WarmupSnapshots());
    }

    [Fact]
    public void Warm_up_caps_follow_utc_days_and_a_star_covers_every_provider()
    {
        var registry = _fixture.Registry(
            ("WARMUP_ENABLED", "true"), ("WARMUP_START_DATE", "2026-03-03"), ("WARMUP_DAILY_CAPS", "1,2"), ("WARMUP_DOMAINS", "*"));

        Assert.True(registry.TryConsumeWarmup(Other, out _));
        Assert.False(registry.TryConsumeWarmup(Other, out var retryAt));
        _fixture.Time.SetUtcNow(retryAt - TimeSpan.FromTicks(1));
        Assert.False(registry.TryConsumeWarmup(Other, out _));
        _fixture.Time.SetUtcNow(retryAt);
        Assert.True(registry.TryConsumeWarmup(Other, out _));
        Assert.True(registry.TryConsumeWarmup(Other, out _));
        Assert.False(registry.TryConsumeWarmup(Other, out _));

        // After the last listed day there is no cap.
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        Assert.All(Enumerable.Range(0, 50), i => Assert.True(registry.TryConsumeWarmup(Other, out _)));
    }

    [Fact]
    public void Domain_scope_is_the_exact_custom_domain_in_lower_case_or_null()
    {
        var registry = _fixture.Registry(
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_CUSTOM_DOMAINS", """{"partner.example": {"maxConnections": 1}}"""));

        Assert.Equal(new ProviderKey("partner.example"), registry.DomainScope("Partner.Example"));
        Assert.Null(registry.DomainScope("sub.partner.example"));
        Assert.Null(registry.DomainScope("gmail.com"));
        Assert.Null(registry.DomainScope(""));
    }

    [Fact]
    public void Reset_puts_one_provider_back_to_its_initial_state_and_leaves_others_alone()
    {
        var registry = _fixture.Registry(
            ("ADAPTIVE_RATE_ENABLED", "true"),
            ("ADAPTIVE_RATE_DEFAULTS", """{"initialDelay": 5000, "circuitBreakerThreshold": 2}"""),
            ("WARMUP_ENABLED", "true"), ("WARMUP_START_DATE", "2026-03-03"), ("WARMUP_DAILY_CAPS", "1"));
        foreach (var provider in new[] { Google, Outlook })
        {
            var controller = registry.Controller(provider);
            controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
            controller.Report(DeliveryOutcome.RateLimited, wasProbe: false);
            Assert.True(registry.TryConsumeWarmup(provider, out _));
        }

        registry.Reset(Google);

        var google = registry.Snapshots().Single(s => s.Provider == Google);
        var outlook = registry.Snapshots().Single(s => s.Provider == Outlook);
        Assert.Equal(new AdaptiveSnapshot(Google, TimeSpan.FromSeconds(5), CircuitState.Closed, null, 0, 0, 0, 0), google);
        Assert.Equal(CircuitState.Open, outlook.State);
        Assert.Equal(2, outlook.RateLimitedReplies);
        Assert.True(registry.TryConsumeWarmup(Google, out _));
        Assert.False(registry.TryConsumeWarmup(Outlook, out _));
    }

    [Fact]
    public void Snapshots_list_every_provider_in_order()
    {
        var registry = _fixture.Registry(("ADAPTIVE_RATE_ENABLED", "true"));
        registry.Controller(Outlook);
        registry.Controller(Google);

        Assert.Equal([Google, Outlook], registry.Snapshots().Select(s => s.Provider));
    }
}
