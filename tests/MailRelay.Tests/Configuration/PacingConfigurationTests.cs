namespace MailRelay.Tests.Configuration;

public class PacingConfigurationTests
{
    [Fact]
    public void Warm_up_is_off_by_default_with_the_seed_table_and_the_big_three()
    {
        var warmup = TestEnvironment.LoadValid().Warmup;

        Assert.False(warmup.Enabled);
        Assert.Null(warmup.StartDate);
        Assert.Equal(new[] { 20, 40, 80, 150, 300, 600, 1000 }, warmup.DailyCaps);
        Assert.Equal(new[] { "gmail.com", "outlook.com", "yahoo.com" }, warmup.Domains);
        Assert.False(warmup.AllProviders);
    }

    [Fact]
    public void Warm_up_settings_are_read()
    {
        var warmup = TestEnvironment.LoadValid(
            ("WARMUP_ENABLED", "true"),
            ("WARMUP_START_DATE", "2026-11-20"),
            ("WARMUP_DAILY_CAPS", "5, 10,15"),
            ("WARMUP_DOMAINS", "Gmail.com,*")).Warmup;

        Assert.True(warmup.Enabled);
        Assert.Equal(new DateOnly(2026, 11, 20), warmup.StartDate);
        Assert.Equal(new[] { 5, 10, 15 }, warmup.DailyCaps);
        Assert.Equal(new[] { "gmail.com" }, warmup.Domains);
        Assert.True(warmup.AllProviders);
    }

    [Fact]
    public void Warm_up_without_a_start_date_is_a_startup_error_naming_the_variable()
    {
        var result = TestEnvironment.Load(("WARMUP_ENABLED", "true"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("WARMUP_START_DATE", error.Variable);
        Assert.Contains("WARMUP_ENABLED", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WARMUP_DAILY_CAPS", ",")]
    [InlineData("WARMUP_DAILY_CAPS", "-5")]
    [InlineData("WARMUP_DOMAINS", "localhost")]
    [InlineData("WARMUP_START_DATE", "2026-02-30")]
    public void Bad_warm_up_values_are_refused(string variable, string value)
    {
        var result = TestEnvironment.Load((variable, value));

        Assert.Equal(new[] { variable }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Circuit_breaker_keys_are_accepted_in_adaptive_tables()
    {
        var config = TestEnvironment.LoadValid(
            ("ADAPTIVE_RATE_DEFAULTS", """{"circuitBreakerThreshold": 3, "circuitBreakerDuration": 60000}"""),
            ("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"circuitBreakerThreshold": 2, "circuitBreakerDuration": 600000}}"""));

        Assert.Equal(3, config.AdaptiveRate.Defaults.GetProperty("circuitBreakerThreshold").GetInt32());
        Assert.Equal(600000, config.AdaptiveRate.Domains.GetProperty("gmail.com").GetProperty("circuitBreakerDuration").GetInt32());
    }

    [Theory]
    [InlineData("ADAPTIVE_RATE_DEFAULTS", """{"circuitBreakerThreshold": 0}""")]
    [InlineData("ADAPTIVE_RATE_DEFAULTS", """{"circuitBreakerDuration": 0}""")]
    [InlineData("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"circuitBreakerThreshold": 2.5}}""")]
    public void Bad_circuit_breaker_values_are_refused(string variable, string value)
    {
        var result = TestEnvironment.Load((variable, value));

        Assert.Equal(new[] { variable }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Custom_domain_limits_are_kept_apart_from_provider_limits()
    {
        var limits = TestEnvironment.LoadValid(
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_CUSTOM_DOMAINS", """{"partner.example": {"maxConnections": 1, "rate": "10/1m"}}""")).RateLimit;

        Assert.Equal(1, limits.CustomDomains.GetProperty("partner.example").GetProperty("maxConnections").GetInt32());
        Assert.Empty(limits.Domains.EnumerateObject());
    }

    [Fact]
    public void Custom_domain_limits_alone_do_not_warn_that_rate_limiting_sets_nothing()
    {
        var result = TestEnvironment.Load(
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_CUSTOM_DOMAINS", """{"partner.example": {"maxConnections": 1}}"""));

        Assert.True(result.IsValid);
        Assert.DoesNotContain(result.Warnings, w => w.Variable == "RATE_LIMIT_ENABLED");
    }
}
