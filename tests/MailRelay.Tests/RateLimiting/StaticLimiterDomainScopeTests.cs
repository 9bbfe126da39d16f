using System.Text.Json;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

/// <summary>RATE_LIMIT_CUSTOM_DOMAINS: limits for an exact recipient domain, on top of its provider's and the global ones.</summary>
public sealed class StaticLimiterDomainScopeTests
{
    private static readonly ProviderKey Partner = new("partner.example");
    private static readonly ProviderKey PartnerProvider = new("partner.example");
    private static readonly ProviderKey Sibling = new("sibling.example");
    private static readonly ProviderKey Google = new("google.com");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private StaticLimiter Build(string global, string domains, string custom) => StaticLimiter.FromSettings(
        new RateLimitSettings { Enabled = true, Global = Json(global), Domains = Json(domains), CustomDomains = Json(custom) },
        new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true)),
        _time);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Custom_domains_are_kept_by_their_exact_name_and_not_mapped_to_a_provider()
    {
        var limiter = Build("{}", "{}", """{"gmail.com":{"maxConnections":1},"Partner.Example":{"rate":"10/1m"}}""");

        Assert.Equal(1, limiter.LimitsForDomain(new ProviderKey("gmail.com")).MaxConnections);
        Assert.Null(limiter.LimitsFor(Google).MaxConnections);
        Assert.Equal(10, limiter.LimitsForDomain(Partner).RateCount);
        Assert.True(limiter.HasDomainScope(Partner));
        Assert.False(limiter.HasDomainScope(new ProviderKey("googlemail.com")));
        Assert.Equal(2, limiter.CustomDomains.Count);
    }

    [Fact]
    public void Custom_domains_are_ignored_when_rate_limiting_is_off()
    {
        var limiter = StaticLimiter.FromSettings(
            new RateLimitSettings { Enabled = false, Global = Json("{}"), Domains = Json("{}"), CustomDomains = Json("""{"partner.example":{"rate":"1/1h"}}""") },
            new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true)),
            _time);

        var slots = Enumerable.Range(0, 3).Select(_ => limiter.ClaimSendSlot(PartnerProvider, Partner, DateTimeOffset.MinValue)).Distinct();

        Assert.Equal([_time.GetUtcNow()], slots);
        Assert.False(limiter.HasDomainScope(Partner));
    }

    [Fact]
    public async Task Slots_claimed_concurrently_keep_the_domain_the_provider_and_the_global_ceilings()
    {
        var limiter = Build(
            """{"rate":"20/1m"}""",
            """{"sibling.example":{"rate":"6/1m"}}""",
            """{"partner.example":{"rate":"2/1m","delayMs":5000}}""");

        // Mail to partner.example is claimed under its own scope; other mail to the same provider key is not.
        var claims = await Task.WhenAll(Enumerable.Range(0, 90).Select(i => Task.Run(() => (i % 3) switch
        {
            0 => (Scope: "domain", At: limiter.ClaimSendSlot(PartnerProvider, Partner, DateTimeOffset.MinValue)),
            1 => (Scope: "provider", At: limiter.ClaimSendSlot(Sibling, DateTimeOffset.MinValue)),
            _ => (Scope: "other", At: limiter.ClaimSendSlot(Google, null, DateTimeOffset.MinValue)),
        })));

        var domain = claims.Where(c => c.Scope == "domain").Select(c => c.At).Order().ToArray();
        var sibling = claims.Where(c => c.Scope == "provider").Select(c => c.At).Order().ToArray();
        var all = claims.Select(c => c.At).Order().ToArray();
        AssertWindow(domain, 2, TimeSpan.FromMinutes(1));
        AssertGap(domain, TimeSpan.FromSeconds(5));
        AssertWindow(sibling, 6, TimeSpan.FromMinutes(1));
        AssertWindow(all, 20, TimeSpan.FromMinutes(1));
        Assert.Equal(_time.GetUtcNow(), all[0]);
    }

    [Fact]
    public async Task Connections_never_exceed_the_domain_provider_or_global_pools_under_many_workers()
    {
        var limiter = Build(
            """{"maxConnections":4}""",
            """{"google.com":{"maxConnections":3}}""",
            """{"partner.example":{"maxConnections":1}}""");
        var counts = new int[3];
        var peaks = new int[3];
        var peaksLock = new Lock();

        async Task Worker(int index)
        {
            var scoped = index % 2 == 0;
            using var lease = scoped
                ? await limiter.AcquireConnectionAsync(PartnerProvider, Partner, CancellationToken.None)
                : await limiter.AcquireConnectionAsync(Google, CancellationToken.None);
            var slot = scoped ? 0 : 1;
            lock (peaksLock)
            {
                counts[slot]++;
                counts[2]++;
                peaks[slot] = Math.Max(peaks[slot], counts[slot]);
                peaks[2] = Math.Max(peaks[2], counts[2]);
            }

            await Task.Yield();
            lock (peaksLock)
            {
                counts[slot]--;
                counts[2]--;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => Worker(i))));

        Assert.InRange(peaks[0], 1, 1);
        Assert.InRange(peaks[1], 1, 3);
        Assert.InRange(peaks[2], 1, 4);
        Assert.Equal([0, 0, 0], counts);
    }

    [Fact]
    public async Task A_scoped_connection_carries_the_smallest_of_the_three_quotas_and_releases_all_pools()
    {
        var limiter = Build(
            """{"maxPerConnection":10,"maxConnections":1}""",
            """{"partner.example":{"maxPerConnection":5,"maxConnections":1}}""",
            """{"partner.example":{"maxPerConnection":2,"maxConnections":1}}""");

        var lease = await limiter.AcquireConnectionAsync(PartnerProvider, Partner, CancellationToken.None);
        Assert.Equal(2, lease.MaxMessages);
        Assert.Equal(Partner, lease.DomainScope);
        Assert.Equal(2, Enumerable.Range(0, 5).Count(_ => lease.TryStartMessage()));

        var next = limiter.AcquireConnectionAsync(PartnerProvider, Partner, CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        lease.Dispose();
        using var second = await next;
        Assert.Equal(2, second.MaxMessages);
    }

    [Fact]
    public async Task A_lease_for_an_unconfigured_domain_scope_holds_only_the_provider_and_global_pools()
    {
        var limiter = Build("""{"maxPerConnection":4}""", "{}", """{"partner.example":{"maxConnections":1}}""");

        using var first = await limiter.AcquireConnectionAsync(Sibling, Sibling, CancellationToken.None);
        using var second = await limiter.AcquireConnectionAsync(Sibling, Sibling, CancellationToken.None);

        Assert.Null(first.DomainScope);
        Assert.Equal(4, second.MaxMessages);
    }

    [Fact]
    public async Task A_cancelled_wait_on_the_provider_pool_gives_back_the_domain_slot()
    {
        var limiter = Build("{}", """{"partner.example":{"maxConnections":1}}""", """{"partner.example":{"maxConnections":1}}""");
        var holder = await limiter.AcquireConnectionAsync(PartnerProvider, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        // Takes the only domain slot, then waits for the provider slot the holder has.
        var waiting = limiter.AcquireConnectionAsync(PartnerProvider, Partner, cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        holder.Dispose();

        var again = limiter.AcquireConnectionAsync(PartnerProvider, Partner, CancellationToken.None).AsTask();
        Assert.True(again.IsCompletedSuccessfully, "the domain slot of the cancelled wait was not given back");
        (await again).Dispose();
    }

    private static void AssertWindow(DateTimeOffset[] ordered, int count, TimeSpan interval)
    {
        Assert.True(ordered.Length > count, "too few slots to test the window");
        for (var i = count; i < ordered.Length; i++)
        {
            Assert.True(ordered[i] - ordered[i - count] >= interval, $"{count + 1} sends within {interval} ending at {i}");
        }
    }

    private static void AssertGap(DateTimeOffset[] ordered, TimeSpan gap)
    {
        for (var i = 1; i < ordered.Length; i++)
        {
            Assert.True(ordered[i] - ordered[i - 1] >= gap, $"gap {ordered[i] - ordered[i - 1]} at {i}");
        }
    }
}
