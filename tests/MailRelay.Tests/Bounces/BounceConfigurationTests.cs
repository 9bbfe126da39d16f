using MailRelay.Configuration;
using MailRelay.Delivery.Scheduling;
using MailRelay.Tests.Configuration;

namespace MailRelay.Tests.Bounces;

public sealed class BounceConfigurationTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void By_default_VERP_and_suppression_are_off_and_bounces_are_accepted_for_seven_days()
    {
        var bounce = TestEnvironment.LoadValid().Bounce;

        Assert.False(bounce.VerpEnabled);
        Assert.True(bounce.UseSenderDomain);
        Assert.Null(bounce.HmacSecret);
        Assert.Equal(TimeSpan.FromDays(7), bounce.MaxAge);
        Assert.Null(bounce.SuppressAfterHardBounce);
    }

    [Fact]
    public void VERP_without_a_secret_is_a_startup_error_naming_the_secret()
    {
        var result = TestEnvironment.Load(("BOUNCE_VERP_ENABLED", "true"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("BOUNCE_HMAC_SECRET", error.Variable);
        Assert.Contains("BOUNCE_VERP_ENABLED", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_shorter_than_32_characters_is_refused_and_not_printed()
    {
        var result = TestEnvironment.Load(("BOUNCE_VERP_ENABLED", "true"), ("BOUNCE_HMAC_SECRET", "short-secret-of-31-characters!!"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("BOUNCE_HMAC_SECRET", error.Variable);
        Assert.DoesNotContain("short-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_secret_comes_from_a_file_without_its_trailing_line_break()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.WriteFile("bounce-secret", Secret + "\n");

        var bounce = TestEnvironment.LoadValid(("BOUNCE_VERP_ENABLED", "true"), ("BOUNCE_HMAC_SECRET_FILE", path)).Bounce;

        Assert.Equal(Secret, bounce.HmacSecret);
    }

    [Fact]
    public void The_secret_is_printed_redacted()
    {
        var result = TestEnvironment.Load(("BOUNCE_HMAC_SECRET", Secret));

        var resolved = Assert.Single(result.Values, r => r.Variable.Name == "BOUNCE_HMAC_SECRET");
        Assert.Equal(ConfigurationReport.Redacted, resolved.DisplayText);
        Assert.DoesNotContain(Secret, result.Configuration!.Bounce.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Max_age_and_suppression_take_durations()
    {
        var bounce = TestEnvironment.LoadValid(("BOUNCE_MAX_AGE", "3d"), ("SUPPRESS_AFTER_HARD_BOUNCE", "30d"), ("BOUNCE_USE_SENDER_DOMAIN", "false")).Bounce;

        Assert.Equal(TimeSpan.FromDays(3), bounce.MaxAge);
        Assert.Equal(TimeSpan.FromDays(30), bounce.SuppressAfterHardBounce);
        Assert.False(bounce.UseSenderDomain);
    }

    [Fact]
    public void With_VERP_each_recipient_gets_a_transaction_of_its_own_and_without_it_the_recipient_limit_holds()
    {
        var on = TestEnvironment.LoadValid(("BOUNCE_VERP_ENABLED", "true"), ("BOUNCE_HMAC_SECRET", Secret), ("DELIVERY_RECIPIENT_LIMIT", "20"));
        var off = TestEnvironment.LoadValid(("DELIVERY_RECIPIENT_LIMIT", "20"));

        Assert.Equal(1, QueueSchedulerOptions.FromConfiguration(on).RecipientLimit);
        Assert.Equal(20, QueueSchedulerOptions.FromConfiguration(off).RecipientLimit);
    }
}
