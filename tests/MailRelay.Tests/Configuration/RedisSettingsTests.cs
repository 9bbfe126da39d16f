using MailRelay.Configuration;
using MailRelay.RateLimiting;

namespace MailRelay.Tests.Configuration;

/// <summary>REDIS_URL, REDIS_PASSWORD_FILE, REDIS_KEY_PREFIX, REDIS_TIMEOUT and REPLICAS do what docs/configuration.md says.</summary>
public class RedisSettingsTests
{
    private const string Password = "Kx9-Unmistakable-Redis-Secret";

    [Fact]
    public void Without_REDIS_URL_pacing_is_not_shared()
    {
        var configuration = TestEnvironment.LoadValid();

        Assert.False(configuration.Redis.Enabled);
        Assert.Equal("mailrelay", configuration.Redis.KeyPrefix);
        Assert.Equal(1, configuration.Redis.Replicas);
        Assert.Equal(TimeSpan.FromSeconds(2), configuration.Redis.Timeout);
    }

    [Fact]
    public void REDIS_URL_gives_host_port_user_password_database_and_tls()
    {
        var configuration = TestEnvironment.LoadValid(
            ("REDIS_URL", $"rediss://relay:{Password}@redis.example:6380/2"),
            ("REDIS_KEY_PREFIX", "relay-eu"),
            ("REDIS_TIMEOUT", "500ms"),
            ("REPLICAS", "3"));

        var redis = configuration.Redis;
        Assert.True(redis.Enabled);
        Assert.Equal(("redis.example", 6380, true, "relay", Password, 2), (redis.Host, redis.Port, redis.UseTls, redis.User, redis.Password, redis.Database));
        Assert.Equal(("relay-eu", 3, TimeSpan.FromMilliseconds(500)), (redis.KeyPrefix, redis.Replicas, redis.Timeout));
    }

    [Fact]
    public void The_password_comes_from_REDIS_PASSWORD_FILE_and_not_from_both()
    {
        using var files = new TemporaryDirectory();
        var path = files.WriteFile("redis-password", Password + "\n");

        var configuration = TestEnvironment.LoadValid(("REDIS_URL", "redis://redis.example"), ("REDIS_PASSWORD_FILE", path));
        Assert.Equal((Password, 6379, false), (configuration.Redis.Password, configuration.Redis.Port, configuration.Redis.UseTls));

        var both = TestEnvironment.Load(("REDIS_URL", $"redis://:{Password}@redis.example"), ("REDIS_PASSWORD_FILE", path));
        Assert.Equal(["REDIS_PASSWORD_FILE"], TestEnvironment.ErrorVariables(both));
    }

    [Fact]
    public void Config_check_never_prints_the_password_in_REDIS_URL()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = ConfigCheck.Run(
            TestEnvironment.Of(("REDIS_URL", $"redis://relay:{Password}@redis.example:6380/2")),
            stdout,
            stderr,
            () => TestEnvironment.MachineHostName,
            TestEnvironment.WorkingDirectory);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(Password, stdout.ToString() + stderr, StringComparison.Ordinal);
        Assert.Contains($"REDIS_URL=redis://relay:{ConfigurationReport.Redacted}@redis.example:6380/2\n", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_REDIS_URL_is_refused_without_its_password()
    {
        var result = TestEnvironment.Load(("REDIS_URL", $"redis://relay:{Password}@redis.example/99"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("REDIS_URL", error.Variable);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4/1s", 4, 2, 2, 1)]
    [InlineData("10/1s", 10, 3, 3, 1)]
    [InlineData("2/1s", 2, 3, 1, 2)]
    [InlineData("1/1m", 1, 2, 1, 120)]
    public void REPLICAS_divides_each_ceiling_so_the_shares_never_sum_past_it(string rate, int connections, int replicas, int shareCount, double shareSeconds)
    {
        var limits = StaticLimits.FromJson(System.Text.Json.JsonDocument.Parse($$"""{"rate":"{{rate}}","maxConnections":{{connections}},"delayMs":100}""").RootElement);

        var share = limits.ShareOf(replicas);

        Assert.Equal(shareCount, share.RateCount);
        Assert.Equal(TimeSpan.FromSeconds(shareSeconds), share.RateInterval);
        Assert.True(share.RateCount * replicas / share.RateInterval.TotalSeconds <= limits.RateCount / limits.RateInterval.TotalSeconds);
        Assert.Equal(Math.Max(1, connections / replicas), share.MaxConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(100 * replicas), share.MinimumDelay);
    }
}
