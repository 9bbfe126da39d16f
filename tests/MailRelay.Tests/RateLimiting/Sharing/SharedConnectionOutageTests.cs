using System.Net;
using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>
/// Two replicas' registries sharing one provider's connection ceiling (maxConnections 4, REPLICAS=2: a share of 2
/// each) through a real redis-server, each opening a real connection to a <see cref="FakeProviderMx"/> for every place
/// it is given, and counted there, where the provider counts: Redis is killed while the replicas hold 3 and 1 places,
/// the places close and open again through the outage, and Redis comes back empty. The provider never sees more than 4
/// connections at once.
/// </summary>
public sealed class SharedConnectionOutageTests : IAsyncLifetime
{
    private const int Ceiling = 4;
    private const string Domain = "example.net";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly ProviderKey Provider = new(Domain);
    private readonly RedisServer _server = RedisServer.Start();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = SharedPacingFixture.Prefix();
    private readonly List<Place> _open = [];
    private readonly HashSet<Task<ConnectionLease>> _opened = [];
    private FakeProviderMx _provider = null!;

    public Task InitializeAsync()
    {
        _provider = FakeProviderMx.Start([IPAddress.Loopback], 0, 1000, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeProvider.System);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Places_held_when_redis_drops_count_against_the_share_and_are_registered_again_when_it_returns()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var first = SharedPacingFixture.Registry(a, _time, $$$"""{"{{{Domain}}}":{"maxConnections":{{{Ceiling}}}}}""");
        var second = SharedPacingFixture.Registry(b, _time, $$$"""{"{{{Domain}}}":{"maxConnections":{{{Ceiling}}}}}""");
        var a1 = await OpenAsync(first.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask());
        var a2 = await OpenAsync(first.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask());
        await OpenAsync(first.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask());
        var b1 = await OpenAsync(second.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask());
        await _provider.WaitUntilAsync(() => _provider.MaxConcurrentConnections == Ceiling, Limit);

        _server.Kill();
        Assert.Null(await a.TryConsumeWarmupAsync(Provider, new DateOnly(2026, 12, 6), 10));
        Assert.Null(await b.TryConsumeWarmupAsync(Provider, new DateOnly(2026, 12, 6), 10));

        // a holds 3 places with a share of 2; b holds 1, and keeps one of its 2 for what a may hold above its share.
        // Every place given is used at once: a connection the provider counts.
        var moreA = first.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask();
        var moreB = second.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask();
        await OpenGivenAsync(moreA, moreB);
        await CloseAsync(a1!);
        await OpenGivenAsync(moreA, moreB);
        await CloseAsync(a2!);
        await OpenAsync(moreA);
        await OpenGivenAsync(moreB);

        // After the life of a lease nobody renewed, the places held before the outage count as closed.
        _time.Advance(RedisSharedPacing.LeaseLife);
        await OpenAsync(moreB);

        // Redis back, empty: each replica registers the places it holds (2 each, one of them taken alone), so the
        // shared ceiling is full although Redis lost everything.
        var registeredA = Registered(a);
        var registeredB = Registered(b);
        _server.Restart();
        _time.Advance(TimeSpan.FromSeconds(2));
        await Task.WhenAll(registeredA, registeredB).WaitAsync(Limit);
        _time.Advance(RedisSharedPacing.LeaseLife);
        Assert.True(a.Available);
        var moreAfter = first.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask();

        // One more round trip of a's, queued behind its claim: the claim has been answered when this one is.
        Assert.NotNull(await a.TryConsumeWarmupAsync(Provider, new DateOnly(2026, 12, 6), 10));
        await OpenGivenAsync(moreAfter);
        await CloseAsync(b1!);

        // The release message wakes a at once, unless its subscription is not back yet; then its recheck does.
        _time.Advance(RedisSharedPacing.ReleaseRecheck);
        await OpenAsync(moreAfter);

        Assert.True(_provider.MaxConcurrentConnections <= Ceiling, $"{_provider.MaxConcurrentConnections} connections at once at the provider");
        Assert.Equal(Ceiling, _open.Count);
    }

    public async Task DisposeAsync()
    {
        foreach (var place in _open.ToArray())
        {
            await CloseAsync(place);
        }

        await _provider.DisposeAsync();
        _server.Dispose();
    }

    private static Task Registered(RedisSharedPacing shared)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        shared.Registered += () => done.TrySetResult();
        return done.Task;
    }

    /// <summary>Opens a connection for each place of <paramref name="pending"/> already given, once.</summary>
    private async Task OpenGivenAsync(params Task<ConnectionLease>[] pending)
    {
        foreach (var acquiring in pending)
        {
            if (acquiring.IsCompleted)
            {
                await OpenAsync(acquiring);
            }
        }
    }

    /// <summary>
    /// Opens a connection to the provider with the place given (waiting for it, bounded): the provider has counted it
    /// once its greeting arrived.
    /// </summary>
    private async Task<Place?> OpenAsync(Task<ConnectionLease> acquiring)
    {
        if (!_opened.Add(acquiring))
        {
            return null;
        }

        var lease = await acquiring.WaitAsync(Limit);
        var client = await RawSmtpClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _provider.Port));
        Assert.StartsWith("220", await client.ReadReplyAsync(), StringComparison.Ordinal);
        var place = new Place(lease, client);
        _open.Add(place);
        return place;
    }

    /// <summary>Closes the connection (the provider has counted it closed once it answered QUIT), then gives the place back.</summary>
    private async Task CloseAsync(Place place)
    {
        if (_open.Remove(place))
        {
            Assert.StartsWith("221", await place.Client.CommandAsync("QUIT"), StringComparison.Ordinal);
            await place.Client.DisposeAsync();
            place.Lease.Dispose();
        }
    }

    private sealed record Place(ConnectionLease Lease, RawSmtpClient Client);
}
