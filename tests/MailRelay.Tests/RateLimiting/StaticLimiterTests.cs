using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

public sealed class StaticLimiterTests
{
    private static readonly ProviderKey Google = new("google.com");
    private static readonly ProviderKey Other = new("example.org");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private StaticLimiter Build(string global, string domains) => StaticLimiter.FromSettings(
        new RateLimitSettings { Enabled = true, Global = Json(global), Domains = Json(domains) },
        new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true)),
        _time);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Configuration_for_gmail_com_applies_to_the_google_provider()
    {
        var limiter = Build("{}", """{"gmail.com":{"maxConnections":1,"maxPerConnection":3,"rate":"1/20s","delayMs":15000}}""");

        var limits = limiter.LimitsFor(Google);

        Assert.Equal(1, limits.MaxConnections);
        Assert.Equal(3, limits.MaxPerConnection);
        Assert.Equal(1, limits.RateCount);
        Assert.Equal(TimeSpan.FromSeconds(20), limits.RateInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), limits.MinimumDelay);
        Assert.Null(limiter.LimitsFor(Other).MaxConnections);
    }

    [Fact]
    public void Two_domains_of_one_provider_keep_the_stricter_value_of_each_key()
    {
        var limiter = Build("{}", """{"gmail.com":{"maxConnections":1,"rate":"10/1m"},"googlemail.com":{"maxConnections":4,"rate":"1/20s","delayMs":500}}""");

        var limits = limiter.LimitsFor(Google);

        Assert.Equal(1, limits.MaxConnections);
        Assert.Equal(1, limits.RateCount);
        Assert.Equal(TimeSpan.FromSeconds(20), limits.RateInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), limits.MinimumDelay);
    }

    [Fact]
    public async Task Send_slots_claimed_by_many_workers_never_exceed_rate_or_gap()
    {
        var limiter = Build("""{"rate":"5/1m"}""", """{"gmail.com":{"rate":"3/10s","delayMs":2000}}""");

        var claims = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => limiter.ClaimSendSlot(Google, DateTimeOffset.MinValue))));

        var slots = claims.Order().ToArray();
        Assert.Equal(slots.Length, slots.Distinct().Count());
        for (var i = 1; i < slots.Length; i++)
        {
            Assert.True(slots[i] - slots[i - 1] >= TimeSpan.FromSeconds(2), $"gap {slots[i] - slots[i - 1]} at {i}");
        }

        AssertWindow(slots, 3, TimeSpan.FromSeconds(10));
        AssertWindow(slots, 5, TimeSpan.FromMinutes(1));
        Assert.Equal(_time.GetUtcNow(), slots[0]);
    }

    [Fact]
    public void The_global_rate_binds_every_provider_together()
    {
        var limiter = Build("""{"rate":"2/1m"}""", "{}");

        var first = limiter.ClaimSendSlot(Google, DateTimeOffset.MinValue);
        var second = limiter.ClaimSendSlot(Other, DateTimeOffset.MinValue);
        var third = limiter.ClaimSendSlot(Other, DateTimeOffset.MinValue);

        Assert.Equal(first, second);
        Assert.Equal(first + TimeSpan.FromMinutes(1), third);
    }

    [Fact]
    public async Task Waiting_for_a_send_slot_completes_exactly_when_the_clock_reaches_it()
    {
        var limiter = Build("{}", """{"gmail.com":{"delayMs":15000}}""");

        await limiter.WaitForSendSlotAsync(Google, CancellationToken.None);
        var second = limiter.WaitForSendSlotAsync(Google, CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromSeconds(15) - TimeSpan.FromTicks(1));
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(_time.GetUtcNow(), await second);
    }

    [Fact]
    public async Task Connections_never_exceed_the_provider_and_global_pools()
    {
        var limiter = Build("""{"maxConnections":3}""", """{"gmail.com":{"maxConnections":2}}""");

        var google = Enumerable.Range(0, 10).Select(_ => limiter.AcquireConnectionAsync(Google, CancellationToken.None).AsTask()).ToList();
        var other = Enumerable.Range(0, 10).Select(_ => limiter.AcquireConnectionAsync(Other, CancellationToken.None).AsTask()).ToList();

        Assert.Equal(2, google.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(1, other.Count(t => t.IsCompletedSuccessfully));

        // Taken before the release: a waiter granted by it may complete before the next line runs.
        var waiting = google.Concat(other).Where(t => !t.IsCompleted).ToList();
        var held = google.First(t => t.IsCompletedSuccessfully);
        (await held).Dispose();
        (await held).Dispose();
        await await Task.WhenAny(waiting);

        var granted = google.Concat(other).Count(t => t.IsCompletedSuccessfully);
        const int released = 1;
        Assert.Equal(3, granted - released);
    }

    [Fact]
    public async Task A_connection_carries_at_most_the_smaller_per_connection_quota()
    {
        var limiter = Build("""{"maxPerConnection":5}""", """{"gmail.com":{"maxPerConnection":3}}""");

        using var lease = await limiter.AcquireConnectionAsync(Google, CancellationToken.None);
        var started = Enumerable.Range(0, 10).Count(_ => lease.TryStartMessage());

        Assert.Equal(3, started);
        Assert.Equal(3, lease.MessagesStarted);
    }

    [Fact]
    public async Task A_cancelled_connection_wait_gives_back_the_provider_slot()
    {
        var limiter = Build("""{"maxConnections":1}""", """{"gmail.com":{"maxConnections":1}}""");
        using var holder = await limiter.AcquireConnectionAsync(Other, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = limiter.AcquireConnectionAsync(Google, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        holder.Dispose();

        using var lease = await limiter.AcquireConnectionAsync(Google, CancellationToken.None);
        Assert.Equal(Google, lease.Provider);
    }

    [Fact]
    public async Task Disabled_limits_impose_nothing()
    {
        var limiter = StaticLimiter.FromSettings(
            new RateLimitSettings { Enabled = false, Global = Json("""{"rate":"1/1h"}"""), Domains = Json("{}") },
            new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true)),
            _time);

        var slots = Enumerable.Range(0, 5).Select(_ => limiter.ClaimSendSlot(Google, DateTimeOffset.MinValue)).Distinct().ToList();
        using var lease = await limiter.AcquireConnectionAsync(Google, CancellationToken.None);

        Assert.Equal([_time.GetUtcNow()], slots);
        Assert.Null(lease.MaxMessages);
    }

    private static void AssertWindow(DateTimeOffset[] ordered, int count, TimeSpan interval)
    {
        for (var i = count; i < ordered.Length; i++)
        {
            Assert.True(ordered[i] - ordered[i - count] >= interval, $"{count + 1} sends within {interval} ending at {i}");
        }
    }
}
