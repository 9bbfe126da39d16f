using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

public class DkimAndPacingConfigurationTests
{
    [Fact]
    public void Dkim_domains_replace_mail_domains_and_keep_their_selectors()
    {
        var dkim = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "example.com:s1,example.org"),
            ("DKIM_DOMAINS", "example.com, other.example"),
            ("DKIM_SELECTOR", "relay"),
            ("DKIM_KEY_DIR", "/keys"),
            ("DKIM_KEY_SIZE", "3072"),
            ("DKIM_ENABLED", "0"),
            ("DKIM_AUTO_GENERATE", "No")).Dkim;

        Assert.Equal(new[] { new MailDomain("example.com", "s1"), new MailDomain("other.example", "relay") }, dkim.Domains);
        Assert.Equal("/keys", dkim.KeyDirectory);
        Assert.Equal(3072, dkim.KeySize);
        Assert.False(dkim.Enabled);
        Assert.False(dkim.AutoGenerate);
    }

    [Theory]
    [InlineData("MAIL_DOMAINS", "localhost")]
    [InlineData("MAIL_DOMAINS", "example.com:bad_selector")]
    [InlineData("MAIL_DOMAINS", "-example.com")]
    [InlineData("DKIM_DOMAINS", "example.com,example.com")]
    [InlineData("DKIM_KEY_SIZE", "2049")]
    [InlineData("DKIM_KEY_SIZE", "8192")]
    [InlineData("DKIM_SELECTOR", "-mail")]
    public void Bad_domain_and_dkim_values_are_refused(string variable, string value)
    {
        var result = TestEnvironment.Load((variable, value));

        Assert.Equal(new[] { variable }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Rate_limit_tables_with_the_seed_keys_are_kept_as_json()
    {
        var config = TestEnvironment.LoadValid(
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_GLOBAL", """{"maxConnections": 10, "rate": "100/1m"}"""),
            ("RATE_LIMIT_DOMAINS", """{"gmail.com": {"enabled": true, "maxConnections": 1, "maxPerConnection": 3, "rate": "1/20s", "delayMs": 15000}, "outlook.com": {"maxConnections": 2, "rate": "1/10s"}}"""),
            ("ADAPTIVE_RATE_ENABLED", "true"),
            ("ADAPTIVE_RATE_DEFAULTS", """{"minDelay": 1000, "maxDelay": 60000, "initialDelay": 5000, "backoffMultiplier": 1.5, "recoveryRate": 0.9, "successThreshold": 5}"""),
            ("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"enabled": true, "minDelay": 15000, "maxDelay": 120000, "initialDelay": 20000, "backoffMultiplier": 2.0, "successThreshold": 10}}"""));

        Assert.True(config.RateLimit.Enabled);
        Assert.Equal(10, config.RateLimit.Global.GetProperty("maxConnections").GetInt32());
        Assert.Equal("1/20s", config.RateLimit.Domains.GetProperty("gmail.com").GetProperty("rate").GetString());
        Assert.True(config.AdaptiveRate.Enabled);
        Assert.Equal(0.9, config.AdaptiveRate.Defaults.GetProperty("recoveryRate").GetDouble());
        Assert.Equal(10, config.AdaptiveRate.Domains.GetProperty("gmail.com").GetProperty("successThreshold").GetInt32());
    }

    [Theory]
    [InlineData("RATE_LIMIT_GLOBAL", """{"maxConnections": 0}""")]
    [InlineData("RATE_LIMIT_GLOBAL", """{"rate": "1/0s"}""")]
    [InlineData("RATE_LIMIT_GLOBAL", """{"delayMs": -1}""")]
    [InlineData("RATE_LIMIT_GLOBAL", """{"maxConnections": 1, "maxConnections": 2}""")]
    [InlineData("RATE_LIMIT_GLOBAL", "not json")]
    [InlineData("RATE_LIMIT_DOMAINS", """{"gmail.com": 5}""")]
    [InlineData("RATE_LIMIT_DOMAINS", """{"gmail.com": {"maxConections": 1}}""")]
    [InlineData("ADAPTIVE_RATE_DEFAULTS", """{"enabled": true}""")]
    [InlineData("ADAPTIVE_RATE_DEFAULTS", """{"backoffMultiplier": 0.5}""")]
    [InlineData("ADAPTIVE_RATE_DOMAINS", """{"gmail.com": {"successThreshold": 1.5}}""")]
    public void Tables_of_the_wrong_shape_are_refused(string variable, string value)
    {
        var result = TestEnvironment.Load((variable, value));

        Assert.Equal(new[] { variable }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Rate_limiting_enabled_without_limits_gives_a_warning()
    {
        var result = TestEnvironment.Load(("RATE_LIMIT_ENABLED", "true"));

        Assert.True(result.IsValid);
        Assert.Contains(result.Warnings, w => w.Variable == "RATE_LIMIT_ENABLED");
    }

    [Fact]
    public void Few_recipients_give_a_warning_but_load()
    {
        var result = TestEnvironment.Load(("MAX_RECIPIENTS", "20"));

        Assert.True(result.IsValid);
        Assert.Equal(20, result.Configuration.Smtp.MaxRecipients);
        Assert.Contains(result.Warnings, w => w.Variable == "MAX_RECIPIENTS");
    }
}
