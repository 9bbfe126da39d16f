using System.Text.Json;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace MailRelay.Tests.RateLimiting;

/// <summary>
/// The real controller against a simulated provider with a hidden limit (<see cref="SimulatedProvider"/>), over
/// simulated runs of many minutes: how much of the provider's rate it takes once settled, how many attempts draw a
/// 421, and how soon it follows the provider when the limit moves.
/// </summary>
public sealed class AdaptiveConvergenceTests(ITestOutputHelper output)
{
    private static readonly ProviderKey Provider = new("fakeprovider.test");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// The seed's Gmail-style step (backoffMultiplier 2, recoveryRate 0.9, successThreshold 3) with a minDelay below
    /// the provider's interval, so the provider and not the floor sets the pace.
    /// </summary>
    private static AdaptiveSettings SeedSteps { get; } = AdaptiveSettings.Default.Overlay(JsonDocument.Parse(
        """{"minDelay":100,"maxDelay":60000,"initialDelay":1000,"backoffMultiplier":2,"recoveryRate":0.9,"successThreshold":3}""").RootElement);

    /// <summary>
    /// Against 4 or 5 messages a second the hold lasts its 30 s rather than its 20 runs, so probing (and the recovery each
    /// probe costs) is rarer: at least 90% there.
    /// </summary>
    [Theory]
    [InlineData(2, 0.85)]
    [InlineData(4, 0.90)]
    [InlineData(5, 0.90)]
    public void With_the_seed_steps_it_takes_most_of_a_fast_providers_rate_and_at_most_5_percent_421s(int perSecond, double share)
    {
        var provider = Simulate(SeedSteps, allowed: perSecond, TimeSpan.FromSeconds(1));
        provider.Run(TimeSpan.FromMinutes(5));
        var from = provider.Now;
        provider.Run(TimeSpan.FromMinutes(20));

        Report(provider, from, provider.Now);
        Assert.InRange(provider.ShareOfLimit(from, provider.Now), share, 1.0);
        Assert.InRange(provider.RefusedShare(from, provider.Now), 0.0, 0.05);
    }

    /// <summary>The chart's defaults are the built-in ones (minDelay 1 s): a provider slower than 1 message a second.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void With_the_chart_defaults_it_takes_at_least_90_percent_of_a_slow_provider_and_at_most_5_percent_421s(int secondsPerMessage)
    {
        var provider = Simulate(AdaptiveSettings.Default, allowed: 1, TimeSpan.FromSeconds(secondsPerMessage));
        provider.Run(TimeSpan.FromMinutes(10 * secondsPerMessage));
        var from = provider.Now;
        provider.Run(TimeSpan.FromMinutes(40 * secondsPerMessage));

        Report(provider, from, provider.Now);
        Assert.InRange(provider.ShareOfLimit(from, provider.Now), 0.90, 1.0);
        Assert.InRange(provider.RefusedShare(from, provider.Now), 0.0, 0.05);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void When_the_provider_halves_or_doubles_its_limit_the_relay_follows_within_a_minute(int allowedAfter)
    {
        var provider = Simulate(SeedSteps, allowed: 2, TimeSpan.FromSeconds(1));
        provider.Run(TimeSpan.FromMinutes(10));

        provider.Allowed = allowedAfter;
        var change = provider.Now;
        provider.Run(TimeSpan.FromMinutes(4));

        // From a minute after the change on, it delivers what the new limit allows and rarely draws a 421.
        var from = change + TimeSpan.FromMinutes(1);
        var to = change + TimeSpan.FromMinutes(3);
        Report(provider, from, to);
        Assert.InRange(provider.ShareOfLimit(from, to), 0.85, 1.0);
        Assert.InRange(provider.RefusedShare(from, to), 0.0, 0.05);
    }

    private void Report(SimulatedProvider provider, DateTimeOffset from, DateTimeOffset to) =>
        output.WriteLine($"{provider.ShareOfLimit(from, to):P1} of the limit, {provider.RefusedShare(from, to):P1} 421s");

    private SimulatedProvider Simulate(AdaptiveSettings settings, int allowed, TimeSpan window) =>
        new(_time, new AdaptiveController(Provider, settings, _time), window) { Allowed = allowed };
}
