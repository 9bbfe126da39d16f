using System.Text.Json;
using MailRelay.RateLimiting;

namespace MailRelay.Tests.RateLimiting;

public sealed class AdaptiveSettingsTests
{
    [Fact]
    public void A_domain_table_overlays_only_its_own_keys_on_the_defaults()
    {
        var defaults = AdaptiveSettings.Default.Overlay(JsonDocument.Parse("""{"minDelay":1000,"maxDelay":60000,"recoveryRate":0.8}""").RootElement);

        var gmail = defaults.Overlay(JsonDocument.Parse("""{"enabled":true,"minDelay":15000,"maxDelay":120000,"initialDelay":20000,"backoffMultiplier":2.0,"successThreshold":10}""").RootElement);

        Assert.Equal(TimeSpan.FromSeconds(15), gmail.MinDelay);
        Assert.Equal(TimeSpan.FromSeconds(120), gmail.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), gmail.InitialDelay);
        Assert.Equal(2.0, gmail.BackoffMultiplier);
        Assert.Equal(0.8, gmail.RecoveryRate);
        Assert.Equal(10, gmail.SuccessThreshold);
        Assert.Equal(TimeSpan.FromSeconds(1), defaults.MinDelay);
    }

    [Fact]
    public void An_unknown_key_is_refused_rather_than_ignored()
    {
        var table = JsonDocument.Parse("""{"minDelai":1000}""").RootElement;

        Assert.Throws<ArgumentException>(() => AdaptiveSettings.Default.Overlay(table));
    }
}
