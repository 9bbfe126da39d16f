using MailRelay.Configuration;
using MailRelay.Handoff;
using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>
/// The replica count that divides the ceilings while Redis is unreachable, read from the StatefulSet through a fake
/// Kubernetes API on loopback (the scale-down handoff's own call): REPLICAS until the first read, the StatefulSet's
/// count after, read again every minute and when Redis is lost, and the last count read when the API cannot answer.
/// </summary>
public sealed class StatefulSetReplicaCountTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private FakeStatefulSetApi _api = null!;
    private bool _apiStopped;

    public async Task InitializeAsync() => _api = await FakeStatefulSetApi.StartAsync(replicas: 3);

    [Fact]
    public async Task The_count_is_REPLICAS_until_read_then_the_statefulset_s_read_again_every_minute_and_kept_when_the_api_is_gone()
    {
        var source = KubernetesReplicaCountSource.Open(new HandoffSettings { KubernetesApi = _api.BaseUri }, NullLogger.Instance);
        var read = Reads(out var next);
        var first = next();
        await using var count = new StatefulSetReplicaCount(source, "mailrelay", configured: 2, _time, NullLogger<StatefulSetReplicaCount>.Instance, read);

        // The first read is due at once.
        await first.WaitAsync(Limit);
        Assert.Equal(3, count.Current);

        _api.Replicas = 5;
        var second = next();
        _time.Advance(StatefulSetReplicaCount.RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.False(second.IsCompleted);
        Assert.Equal(3, count.Current);
        _time.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(Limit);
        Assert.Equal(5, count.Current);

        // Scaled to zero: the pod still running counts itself.
        _api.Replicas = 0;
        await RefreshAsync(count, next);
        Assert.Equal(1, count.Current);

        _api.Replicas = 4;
        await RefreshAsync(count, next);
        await StopApiAsync();
        await RefreshAsync(count, next);
        Assert.Equal(4, count.Current);
        Assert.Equal(4, _api.Reads);
    }

    [Fact]
    public async Task Without_an_api_to_answer_the_count_stays_REPLICAS()
    {
        var source = KubernetesReplicaCountSource.Open(new HandoffSettings { KubernetesApi = _api.BaseUri }, NullLogger.Instance);
        await StopApiAsync();
        var read = Reads(out var next);
        var first = next();
        await using var count = new StatefulSetReplicaCount(source, "mailrelay", configured: 2, _time, NullLogger<StatefulSetReplicaCount>.Instance, read);

        await first.WaitAsync(Limit);
        Assert.Equal(2, count.Current);
    }

    [Fact]
    public async Task Losing_redis_reads_the_count_again_and_the_share_follows_it()
    {
        using var server = RedisServer.Start();
        var source = KubernetesReplicaCountSource.Open(new HandoffSettings { KubernetesApi = _api.BaseUri }, NullLogger.Instance);
        var read = Reads(out var next);
        var first = next();
        await using var count = new StatefulSetReplicaCount(source, "mailrelay", configured: 2, _time, NullLogger<StatefulSetReplicaCount>.Instance, read);
        await first.WaitAsync(Limit);
        await using var shared = new RedisSharedPacing(
            SharedPacingFixture.Settings(server.Port, SharedPacingFixture.Prefix()), count, _time, NullLogger<RedisSharedPacing>.Instance);
        var registry = SharedPacingFixture.Registry(shared, _time, """{"example.net":{"maxConnections":12}}""");
        Assert.Equal(3, shared.Replicas);

        // Scaled up meanwhile; nothing asks until Redis is lost.
        _api.Replicas = 6;
        var reread = next();
        server.Kill();
        var failed = await shared.TryConsumeWarmupAsync(new ProviderKey("example.net"), new DateOnly(2026, 12, 6), 10);
        await reread.WaitAsync(Limit);

        Assert.Null(failed);
        Assert.Equal(6, shared.Replicas);
        Assert.Equal(6, shared.Status().Replicas);
        Assert.Equal(2, registry.FallbackLimits.LimitsFor(new ProviderKey("example.net")).MaxConnections);
    }

    public Task DisposeAsync() => StopApiAsync();

    private async Task StopApiAsync()
    {
        if (!_apiStopped)
        {
            _apiStopped = true;
            await _api.DisposeAsync();
        }
    }

    private static async Task RefreshAsync(StatefulSetReplicaCount count, Func<Task> next)
    {
        var done = next();
        count.Refresh();
        await done.WaitAsync(Limit);
    }

    /// <summary>An observer of the count's reads; <paramref name="next"/> gives the task of the next read to end.</summary>
    private static Action Reads(out Func<Task> next)
    {
        var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sync = new Lock();
        next = () =>
        {
            lock (sync)
            {
                return pending.Task;
            }
        };
        return () =>
        {
            TaskCompletionSource done;
            lock (sync)
            {
                done = pending;
                pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            done.TrySetResult();
        };
    }
}
