using System.Net;
using System.Net.Sockets;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>
/// The pacing registry of replicas sharing a real redis-server: a rate-limit reply to one replica raises the other's
/// delay, warm-up counts are the replicas' together per UTC day, and whenever Redis cannot answer a claim is served at
/// once by the replica's share of each ceiling (1/REPLICAS), counting the slots it got from Redis just before.
/// </summary>
public sealed class SharedPacingRegistryTests : IDisposable
{
    private const string Domain = "example.net";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    private static readonly ProviderKey Provider = new(Domain);
    private readonly RedisServer _server = RedisServer.Start();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = SharedPacingFixture.Prefix();

    [Fact]
    public async Task A_rate_limit_reply_to_one_replica_raises_the_delay_of_the_other()
    {
        const string adaptive = """{"initialDelay":100,"minDelay":100,"maxDelay":10000,"backoffMultiplier":2}""";
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var first = SharedPacingFixture.Registry(a, _time, adaptiveDefaults: adaptive, adaptive: true);
        var second = SharedPacingFixture.Registry(b, _time, adaptiveDefaults: adaptive, adaptive: true);
        Assert.Equal(TimeSpan.FromMilliseconds(100), second.Controller(Provider).CurrentDelay);
        var adopted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Adopted += provider => adopted.TrySetResult();

        first.Report(Provider, DeliveryOutcome.RateLimited, wasProbe: false);

        await adopted.Task.WaitAsync(Limit);
        Assert.Equal(TimeSpan.FromMilliseconds(200), first.Controller(Provider).CurrentDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(200), second.Controller(Provider).CurrentDelay);
    }

    [Fact]
    public async Task Warm_up_counts_are_the_replicas_together_per_UTC_day()
    {
        var warmup = new WarmupSettings
        {
            Enabled = true,
            StartDate = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime),
            DailyCaps = [3, 3],
            Domains = [Domain],
            AllProviders = false,
        };
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var first = SharedPacingFixture.Registry(a, _time, warmup: warmup);
        var second = SharedPacingFixture.Registry(b, _time, warmup: warmup);

        Assert.True((await first.TryConsumeWarmupAsync(Provider)).Allowed);
        Assert.True((await second.TryConsumeWarmupAsync(Provider)).Allowed);
        Assert.True((await first.TryConsumeWarmupAsync(Provider)).Allowed);
        var refused = await second.TryConsumeWarmupAsync(Provider);
        Assert.False(refused.Allowed);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), refused.RetryAt);

        // A new UTC day is a new count, for both.
        _time.Advance(TimeSpan.FromHours(16));
        Assert.True((await second.TryConsumeWarmupAsync(Provider)).Allowed);
        Assert.Equal(1, second.WarmupSnapshots().Single().SentToday);
    }

    [Fact]
    public async Task Without_redis_each_ceiling_falls_to_the_replica_share_at_once()
    {
        await using var alone = SharedPacingFixture.Replica(DeadPort(), _prefix, _time, replicas: 2);
        var registry = SharedPacingFixture.Registry(alone, _time, $$$"""{"{{{Domain}}}":{"rate":"4/1s","maxConnections":4}}""");
        var now = _time.GetUtcNow();

        // 4/1s for two replicas: 2/1s each. The claims answer at once, from the local share.
        Assert.Equal(now, await registry.ClaimSendSlotAsync(Provider, null, now, TimeSpan.Zero));
        Assert.Equal(now, await registry.ClaimSendSlotAsync(Provider, null, now, TimeSpan.Zero));
        Assert.Equal(now + TimeSpan.FromSeconds(1), await registry.ClaimSendSlotAsync(Provider, null, now, TimeSpan.Zero));

        // 4 connections for two replicas: 2 each.
        using var one = await registry.AcquireConnectionAsync(Provider, null, CancellationToken.None);
        var two = await registry.AcquireConnectionAsync(Provider, null, CancellationToken.None);
        var three = registry.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask();
        Assert.False(three.IsCompleted);
        two.Dispose();
        using var third = await three.WaitAsync(Limit);
        Assert.False(alone.Status().Connected);
    }

    [Fact]
    public async Task Slots_taken_from_redis_count_against_the_replica_share_when_redis_goes_down()
    {
        await using var shared = SharedPacingFixture.Replica(_server, _prefix, _time, replicas: 2);
        var registry = SharedPacingFixture.Registry(shared, _time, $$$"""{"{{{Domain}}}":{"rate":"2/1s"}}""");
        var now = _time.GetUtcNow();
        Assert.True(shared.Status().Connected);
        Assert.Equal(now, await registry.ClaimSendSlotAsync(Provider, null, now, TimeSpan.Zero));
        Assert.Equal(now, await registry.ClaimSendSlotAsync(Provider, null, now, TimeSpan.Zero));

        _server.Kill();

        // Alone, the replica may send 1/1s, and it has just sent in the slot Redis gave it.
        Assert.Equal(now + TimeSpan.FromSeconds(1), await registry.ClaimSendSlotAsync(Provider, null, now, TimeSpan.Zero));
        Assert.False(shared.Status().Connected);
    }

    public void Dispose() => _server.Dispose();

    private static int DeadPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
