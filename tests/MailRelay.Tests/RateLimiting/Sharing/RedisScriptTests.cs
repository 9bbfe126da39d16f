using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>
/// The shared ceilings' scripts against a real redis-server, through two replicas' stores: slot claims made at once
/// by both keep the gap and the rate window in the server's clock, a full connection ceiling is taken again on the
/// release message, a lease whose replica died is reclaimed, and a stale adaptive state never undoes a backoff.
/// </summary>
public sealed class RedisScriptTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    private readonly RedisServer _server = RedisServer.Start();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = SharedPacingFixture.Prefix();
    private ConnectionMultiplexer? _connection;

    [Fact]
    public async Task Concurrent_claims_of_two_replicas_get_slots_spaced_by_the_gap()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        SharedScope[] scopes = [new("p:example.net", TimeSpan.FromMilliseconds(100), null, TimeSpan.Zero, null)];

        var claims = Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).ReserveRawAsync("plan", scopes, TimeSpan.Zero).AsTask());
        var slots = (await Task.WhenAll(claims)).Select(r => r!.Value.Slot).Order().ToArray();

        Assert.Equal(40, slots.Distinct().Count());
        var gaps = slots.Zip(slots.Skip(1), (earlier, later) => later - earlier).ToArray();
        Assert.True(gaps.Min() >= 100_000, $"smallest gap {gaps.Min()} µs");
    }

    [Fact]
    public async Task Concurrent_claims_of_two_replicas_keep_the_rate_window()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        SharedScope[] scopes = [new("p:example.net", TimeSpan.Zero, 3, TimeSpan.FromSeconds(1), null), new("g", TimeSpan.Zero, 5, TimeSpan.FromSeconds(1), null)];

        var claims = Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? a : b).ReserveRawAsync("plan", scopes, TimeSpan.Zero).AsTask());
        var results = await Task.WhenAll(claims);
        var slots = results.Select(r => r!.Value.Slot).Order().ToArray();

        // Any 3 consecutive slots (the provider's rate) span at least the interval; the first 3 go at once.
        for (var i = 0; i + 3 < slots.Length; i++)
        {
            Assert.True(slots[i + 3] - slots[i] >= 1_000_000, $"slots {i}..{i + 3} within {slots[i + 3] - slots[i]} µs");
        }

        Assert.True(slots[2] - slots[0] < 1_000_000);
    }

    [Fact]
    public async Task A_full_connection_ceiling_is_taken_again_on_the_release_message()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        SharedScope[] scopes = [new("p:example.net", TimeSpan.Zero, null, TimeSpan.Zero, 2)];
        var first = await a.AcquireConnectionAsync(scopes, null, CancellationToken.None);
        var second = await a.AcquireConnectionAsync(scopes, null, CancellationToken.None);
        Assert.NotNull(first);
        Assert.NotNull(second);

        // The fake clock never moves, so the waiting replica's fallback re-check never fires: only the message wakes it.
        var third = b.AcquireConnectionAsync(scopes, null, CancellationToken.None).AsTask();
        Assert.Equal(2, await Leases(scopes[0]));
        Assert.False(third.IsCompleted);
        first!.Dispose();

        using var taken = await third.WaitAsync(Limit);
        Assert.NotNull(taken);
        Assert.Equal(2, await Leases(scopes[0]));
        second!.Dispose();
    }

    [Fact]
    public async Task A_lease_whose_replica_stopped_renewing_it_is_reclaimed_and_a_renewed_one_is_kept()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        SharedScope[] scopes = [new("p:example.net", TimeSpan.Zero, null, TimeSpan.Zero, 1)];
        using var held = await a.AcquireConnectionAsync(scopes, null, CancellationToken.None);
        Assert.NotNull(held);
        var key = ConnectionKey(scopes[0]);
        var db = Database();
        var member = (await db.SortedSetRangeByRankAsync(key)).Single();
        var expiry = (await db.SortedSetScoreAsync(key, member))!.Value;

        // The holder renews a third of the way through the lease's life: the expiry moves on.
        _time.Advance(RedisSharedPacing.LeaseLife / 3);
        await WaitUntilAsync(async () => (await db.SortedSetScoreAsync(key, member)) > expiry);

        // Another replica cannot take the place while the lease lives.
        Assert.Equal(0, await TakeAsync(db, key, "other"));

        // The holder dies: nothing renews its lease and its expiry passes. The place is free again.
        await db.SortedSetAddAsync(key, member, 0);
        Assert.Equal(1, await TakeAsync(db, key, "other"));
        Assert.Equal(["other"], (await db.SortedSetRangeByRankAsync(key)).Select(m => m.ToString()));
    }

    [Fact]
    public async Task A_state_published_from_an_older_version_never_undoes_a_backoff()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var provider = new ProviderKey("example.net");
        var settings = AdaptiveSettings.Default with { InitialDelay = TimeSpan.FromMilliseconds(100), MinDelay = TimeSpan.FromMilliseconds(100) };
        var backedOff = new AdaptiveController(provider, settings, _time);
        var stale = new AdaptiveController(provider, settings, _time);
        backedOff.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        var slower = backedOff.CurrentDelay;
        Assert.True(slower > TimeSpan.FromMilliseconds(100));

        Assert.True(await a.PublishAsync(backedOff, rateLimited: true));

        // b never saw that version: its faster state is refused, and the shared delay stays the backed-off one.
        Assert.False(await b.PublishAsync(stale, rateLimited: false));
        Assert.Equal(slower.Ticks / 10, (long)await Database().HashGetAsync(a.AdaptiveKey(provider), "delay"));

        // A rate-limit reply that slows down further is taken even from an older version.
        stale.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        stale.Report(DeliveryOutcome.RateLimited, wasProbe: false);
        Assert.True(stale.CurrentDelay > slower);
        Assert.True(await b.PublishAsync(stale, rateLimited: true));
        Assert.Equal(stale.CurrentDelay.Ticks / 10, (long)await Database().HashGetAsync(a.AdaptiveKey(provider), "delay"));
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _server.Dispose();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Limit);
        while (!await condition())
        {
            deadline.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    private static async Task<int> TakeAsync(IDatabase db, string key, string id) =>
        (int)await db.ScriptEvaluateAsync(RedisScripts.Acquire, [key], [1, id, RedisSharedPacing.LeaseLife.Ticks / 10]);

    private string ConnectionKey(SharedScope scope) => "{" + _prefix + "}:conn:" + scope.Key;

    private async Task<long> Leases(SharedScope scope) => await Database().SortedSetLengthAsync(ConnectionKey(scope));

    private IDatabase Database()
    {
        _connection ??= ConnectionMultiplexer.Connect($"127.0.0.1:{_server.Port}");
        return _connection.GetDatabase();
    }
}
