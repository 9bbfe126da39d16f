using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

/// <summary>
/// The gaps kept between the instants transactions really begin (and their MAIL FROMs leave), not between the slots
/// reserved for them: a late transaction pushes the next one, whatever was reserved.
/// </summary>
public sealed class StaticLimiterStartTests
{
    private static readonly ProviderKey Google = new("google.com");
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private StaticLimiter Build(string domains) => StaticLimiter.FromSettings(
        new RateLimitSettings { Enabled = true, Global = Json("{}"), Domains = Json(domains) },
        new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true)),
        _time);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Theory]
    [InlineData("""{"gmail.com":{"rate":"1/1s"}}""")]
    [InlineData("""{"gmail.com":{"delayMs":1000}}""")]
    public void A_transaction_that_began_late_pushes_the_next_one_past_its_reserved_slot(string limits)
    {
        var limiter = Build(limits);
        var first = limiter.ClaimSendSlot(Google, null, DateTimeOffset.MinValue);
        var second = limiter.ClaimSendSlot(Google, null, DateTimeOffset.MinValue);
        Assert.Equal([T0, T0.AddSeconds(1)], [first, second]);

        // The first connection took 300 ms to get ready: its transaction begins then.
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limiter.TryStartTransaction(Google, null, TimeSpan.Zero, out var started));
        Assert.Equal(T0.AddMilliseconds(300), started);

        // The second one's connection was ready at its slot (reused): it still waits a whole second after the first.
        _time.Advance(TimeSpan.FromMilliseconds(700));
        Assert.False(limiter.TryStartTransaction(Google, null, TimeSpan.Zero, out var notBefore));
        Assert.Equal(T0.AddMilliseconds(1300), notBefore);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limiter.TryStartTransaction(Google, null, TimeSpan.Zero, out _));
    }

    [Fact]
    public void A_MAIL_FROM_that_left_late_counts_from_when_it_left_and_later_reservations_plan_from_it()
    {
        var limiter = Build("""{"gmail.com":{"rate":"1/1s"}}""");
        var reserved = limiter.ClaimSendSlot(Google, null, DateTimeOffset.MinValue);
        Assert.True(limiter.TryStartTransaction(Google, null, TimeSpan.Zero, out var started));

        // Our side took 200 ms between the gate and the wire.
        _time.Advance(TimeSpan.FromMilliseconds(200));
        limiter.RecordMailFromSent(Google, null, reserved, started, _time.GetUtcNow());

        Assert.Equal(T0.AddMilliseconds(1200), limiter.ClaimSendSlot(Google, null, DateTimeOffset.MinValue));
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(limiter.TryStartTransaction(Google, null, TimeSpan.Zero, out var notBefore));
        Assert.Equal(T0.AddMilliseconds(1200), notBefore);
    }

    [Fact]
    public void The_adaptive_delay_is_kept_between_the_provider_s_transactions_and_only_the_provider_s()
    {
        var limiter = Build("{}");
        Assert.True(limiter.TryStartTransaction(Google, null, TimeSpan.FromSeconds(2), out _));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(limiter.TryStartTransaction(Google, null, TimeSpan.FromSeconds(2), out var notBefore));
        Assert.Equal(T0.AddSeconds(2), notBefore);
        Assert.True(limiter.TryStartTransaction(new ProviderKey("example.org"), null, TimeSpan.FromSeconds(2), out _));
    }
}
