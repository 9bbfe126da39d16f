using System.Globalization;
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

    /// <summary>
    /// Where the change falls in the controller's cycle (a rate limit, a recovery, a hold of about 30 s, a few probes:
    /// about 50 s at 2 messages a second) decides how soon a doubling is noticed: just after a rate limit, only after a
    /// whole recovery and hold. So the change comes at every other second over more than a cycle, and every one of them
    /// must be followed within a minute, reckoned as <c>bench/pacing.sh</c> does (the first moment from which the next
    /// 30 s deliver at least 85% of the new limit with at most 5% 421s); from a minute after the change to three, the
    /// relay delivers at least 85% of the new limit with at most 5% 421s.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Wherever_in_its_cycle_the_provider_halves_or_doubles_its_limit_the_relay_follows_within_a_minute(int allowedAfter)
    {
        var follows = new List<double>();
        for (var offset = 0; offset < 70; offset += 2)
        {
            var time = new FakeTimeProvider(_time.GetUtcNow());
            var provider = new SimulatedProvider(time, new AdaptiveController(Provider, SeedSteps, time), TimeSpan.FromSeconds(1)) { Allowed = 2 };
            provider.Run(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(offset));

            provider.Allowed = allowedAfter;
            var change = provider.Now;
            provider.Run(TimeSpan.FromMinutes(3));

            var follow = provider.FollowTime(change, provider.Now);
            var from = change + TimeSpan.FromMinutes(1);
            output.WriteLine($"change {offset} s into the sixth minute: followed in {(follow is { } f ? f.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : "never")}; then {provider.ShareOfLimit(from, provider.Now):P1} of the limit, {provider.RefusedShare(from, provider.Now):P1} 421s");
            Assert.NotNull(follow);
            Assert.InRange(follow.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
            Assert.InRange(provider.ShareOfLimit(from, provider.Now), 0.85, 1.0);
            Assert.InRange(provider.RefusedShare(from, provider.Now), 0.0, 0.05);
            follows.Add(follow.Value.TotalSeconds);
        }

        follows.Sort();
        output.WriteLine($"followed in {follows[follows.Count / 2]} s (median), {follows[^1]} s at worst");
    }

    private void Report(SimulatedProvider provider, DateTimeOffset from, DateTimeOffset to) =>
        output.WriteLine($"{provider.ShareOfLimit(from, to):P1} of the limit, {provider.RefusedShare(from, to):P1} 421s");

    private SimulatedProvider Simulate(AdaptiveSettings settings, int allowed, TimeSpan window) =>
        new(_time, new AdaptiveController(Provider, settings, _time), window) { Allowed = allowed };
}
