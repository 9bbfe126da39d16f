using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>
/// Replicas' registries sharing one provider's rate (2/1s, REPLICAS=2: a share of 1/1s each) through a real
/// redis-server. Redis gives one replica the whole rate just before it is killed, the other nothing; from then on both
/// begin transactions on their shares, as fast as their gates let them. Measured by the instants the gates let
/// transactions begin (the replicas' MAIL FROMs), with a fake clock: no window of 1 s holds more than 2 of them, the
/// two before the outage included, and both replicas go on delivering. A transaction whose shared begin fails on the
/// way passes the share too, and when Redis is back a replica keeps to its share while the others are given time to
/// come back.
/// </summary>
public sealed class SharedRateOutageTests : IDisposable
{
    private const string Domain = "example.net";
    private static readonly ProviderKey Provider = new(Domain);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly RedisServer _server = RedisServer.Start();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = SharedPacingFixture.Prefix();

    [Fact]
    public async Task Slots_redis_gave_unevenly_before_it_went_keep_the_rate_in_sum_through_the_start_of_the_outage()
    {
        const string limits = """{"example.net":{"rate":"2/1s"}}""";
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var first = SharedPacingFixture.Registry(a, _time, limits);
        var second = SharedPacingFixture.Registry(b, _time, limits);
        var begun = new List<(string Replica, DateTimeOffset At)>();

        // Redis lets the first replica take both slots of the window; the second takes none.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(_time.GetUtcNow(), await first.ClaimSendSlotAsync(Provider, null, _time.GetUtcNow(), TimeSpan.Zero));
            begun.Add(("a", await BeginSharedAsync(first)));
        }

        _time.Advance(TimeSpan.FromMilliseconds(400));
        var outage = _time.GetUtcNow();
        _server.Kill();
        Assert.Null(await a.TryConsumeWarmupAsync(Provider, new DateOnly(2026, 12, 6), 10));
        Assert.Null(await b.TryConsumeWarmupAsync(Provider, new DateOnly(2026, 12, 6), 10));

        // The second replica's plan waits one interval too: it had no slot from Redis to count on.
        Assert.Equal(outage + Interval, await second.ClaimSendSlotAsync(Provider, null, outage, TimeSpan.Zero));

        // Both replicas begin transactions on their shares, each as soon as its gate allows, for 4 s.
        var replicas = new[] { ("a", first), ("b", second) };
        var next = new Dictionary<string, DateTimeOffset> { ["a"] = outage, ["b"] = outage };
        while (next.Values.Min() < outage + TimeSpan.FromSeconds(4))
        {
            var at = next.Values.Min();
            if (at > _time.GetUtcNow())
            {
                _time.Advance(at - _time.GetUtcNow());
            }

            foreach (var (name, registry) in replicas)
            {
                if (next[name] <= _time.GetUtcNow())
                {
                    var (gate, gap) = registry.StartCeilings(Provider, null, TimeSpan.Zero);
                    if (gate.TryStartTransaction(Provider, null, gap, out var notBefore))
                    {
                        Assert.Null(await registry.BeginSharedAsync(Provider, null, TimeSpan.Zero, CancellationToken.None));
                        begun.Add((name, notBefore));
                    }

                    next[name] = notBefore;
                }
            }
        }

        var instants = begun.Select(t => t.At).Order().ToArray();
        var spans = instants.Zip(instants.Skip(2), (earlier, later) => later - earlier).ToArray();
        Assert.True(spans.Min() >= Interval, "transactions begun: " + string.Join(", ", begun.Select(t => $"{t.Replica}@{(t.At - outage).TotalMilliseconds:0}ms")));
        Assert.Equal(outage + Interval, begun.First(t => t.Replica == "b").At);
        Assert.Equal(3, begun.Count(t => t.Replica == "b"));
        Assert.Equal(6, begun.Count(t => t.Replica == "a"));
        Assert.False(a.Status().Connected);
    }

    [Fact]
    public async Task A_replica_back_on_redis_keeps_to_its_share_while_the_others_are_given_time_to_come_back()
    {
        const string limits = """{"example.net":{"rate":"2/1s"}}""";
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        var first = SharedPacingFixture.Registry(a, _time, limits);
        _server.Kill();
        Assert.Null(await a.TryConsumeWarmupAsync(Provider, new DateOnly(2026, 12, 6), 10));

        // Redis back, empty. Another replica may still be without it, sending its share unknown to Redis.
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Registered += () => registered.TrySetResult();
        _server.Restart();
        _time.Advance(TimeSpan.FromSeconds(2));
        await registered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(a.Available);
        var recovered = a.RecoveredAt!.Value;

        // 20 s later the transaction gate still keeps this replica's share (1/1s), not Redis's whole ceiling (2/1s).
        _time.Advance(recovered + TimeSpan.FromSeconds(20) - _time.GetUtcNow());
        var (gate, gap) = first.StartCeilings(Provider, null, TimeSpan.Zero);
        Assert.True(gate.TryStartTransaction(Provider, null, gap, out var started));
        Assert.False(gate.TryStartTransaction(Provider, null, gap, out var notBefore));
        Assert.Equal(started + Interval, notBefore);

        // After the longest window and the 30 s every replica is given, the whole ceiling is Redis's to keep.
        _time.Advance(recovered + Interval + RedisSharedPacing.LeaseLife - _time.GetUtcNow());
        (gate, gap) = first.StartCeilings(Provider, null, TimeSpan.Zero);
        Assert.True(gate.TryStartTransaction(Provider, null, gap, out _));
        Assert.True(gate.TryStartTransaction(Provider, null, gap, out _));
    }

    [Fact]
    public async Task A_transaction_whose_shared_begin_fails_on_the_way_waits_for_the_replica_share()
    {
        const string limits = """{"example.net":{"rate":"2/1s"}}""";
        var time = new TimerRecordingTimeProvider();
        time.SetUtcNow(_time.GetUtcNow());
        await using var a = SharedPacingFixture.Replica(_server, _prefix, time);
        var registry = SharedPacingFixture.Registry(a, time, limits);

        // The local gate lets the transaction through under the whole ceiling (Redis answers); then the shared begin
        // fails (a script error here, as a lost connection would).
        var (gate, gap) = registry.StartCeilings(Provider, null, TimeSpan.Zero);
        Assert.True(gate.TryStartTransaction(Provider, null, gap, out _));
        using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_server.Port}"))
        {
            await redis.GetDatabase().HashSetAsync("{" + _prefix + "}:start:p:" + Domain + ":last", "broken", "1");
        }

        var timers = time.DueTimes.Count;
        var begin = registry.BeginSharedAsync(Provider, null, TimeSpan.Zero, CancellationToken.None).AsTask();

        // This replica had no slot from Redis in the last interval: its share lets it begin one interval later.
        await time.WaitForTimersAsync(timers + 1, TimeSpan.FromSeconds(30));
        Assert.Equal(Interval, time.DueTimes[^1]);
        Assert.False(begin.IsCompleted);
        time.Advance(Interval);
        var begun = await begin.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(begun is { Begun: true, Recorded: null });
    }

    public void Dispose() => _server.Dispose();

    /// <summary>Begins one transaction now under the shared ceilings, as the transaction gate does, and reports its MAIL FROM sent.</summary>
    private static async Task<DateTimeOffset> BeginSharedAsync(PacingRegistry registry)
    {
        var (gate, gap) = registry.StartCeilings(Provider, null, TimeSpan.Zero);
        Assert.True(gate.TryStartTransaction(Provider, null, gap, out var at));
        var begun = await registry.BeginSharedAsync(Provider, null, TimeSpan.Zero, CancellationToken.None);
        Assert.True(begun is { Begun: true });
        registry.SharedMailFromSent(Provider, null, begun);
        return at;
    }
}
