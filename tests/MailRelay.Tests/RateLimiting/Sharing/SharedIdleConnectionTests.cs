using System.Net;
using MailRelay.Delivery;
using MailRelay.Delivery.Transport;
using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;
using MailRelay.Tests.Delivery.Transport;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace MailRelay.Tests.RateLimiting.Sharing;

/// <summary>
/// Connections kept open between messages under a connection ceiling shared through a real redis-server: two replicas'
/// registries and transports delivering to one <see cref="FakeProviderMx"/>, which counts the connections open at once.
/// The pools' clock never moves, so an idle connection closes only when something asks it to.
/// </summary>
public sealed class SharedIdleConnectionTests : IAsyncLifetime
{
    private const string Domain = "example.net";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly ProviderKey Provider = new(Domain);
    private readonly RedisServer _server = RedisServer.Start();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = SharedPacingFixture.Prefix();
    private readonly TestQueueFile _file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");
    private FakeProviderMx _provider = null!;
    private ConnectionMultiplexer? _redis;

    public Task InitializeAsync()
    {
        _provider = FakeProviderMx.Start([IPAddress.Loopback], 0, 1000, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeProvider.System);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_idle_connection_keeps_its_place_so_another_replica_waits_until_it_closes_and_the_provider_never_sees_more_than_the_ceiling()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var first = Registry(a, 2);
        var second = Registry(b, 2);
        await using var transportA = Transport();
        await using var transportB = Transport();

        // Replica a delivers two messages at once on two connections and keeps both open for its next messages.
        var leases = new[] { await Acquire(first), await Acquire(first) };
        await Task.WhenAll(leases.Select(lease => DeliverAsync(transportA, lease)));
        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        Assert.Equal(2, _provider.Connections.Count);
        Assert.Equal(2, _provider.OpenConnections);
        Assert.Equal(2, first.IdlePlaceCount);
        Assert.Equal(2, await PlacesInRedis());

        // Replica b finds the ceiling full and says so; a closes its longest-idle connection, and b gets its place.
        using var fromB = await Acquire(second);
        Assert.Equal(1, first.IdlePlaceCount);
        await DeliverAsync(transportB, fromB);

        Assert.Equal(3, _provider.Connections.Count);
        Assert.True(_provider.MaxConcurrentConnections <= 2, $"{_provider.MaxConcurrentConnections} connections at once at the provider");
    }

    [Fact]
    public async Task The_next_message_takes_over_the_idle_connections_place_and_reuses_it_and_redis_counts_exactly_the_open_connections()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        var registry = Registry(a, 1);
        await using var transport = Transport();

        var firstLease = await Acquire(registry);
        await DeliverAsync(transport, firstLease);
        firstLease.Dispose();
        Assert.Equal(1, _provider.OpenConnections);
        Assert.Equal(1, await PlacesInRedis());

        // With a ceiling of 1 held by the idle connection, only taking its place over can answer.
        var secondLease = await Acquire(registry);
        await DeliverAsync(transport, secondLease);
        secondLease.Dispose();

        Assert.Single(_provider.Connections);
        Assert.Equal(2, _provider.Accepted.Count);
        Assert.Equal(1, _provider.OpenConnections);
        Assert.Equal(1, await PlacesInRedis());
    }

    [Fact]
    public async Task A_lease_that_took_an_idle_connections_place_and_is_given_up_unused_closes_that_connection()
    {
        await using var a = SharedPacingFixture.Replica(_server, _prefix, _time);
        await using var b = SharedPacingFixture.Replica(_server, _prefix, _time);
        var registry = Registry(a, 1);
        var other = Registry(b, 1);
        await using var transport = Transport();
        var firstLease = await Acquire(registry);
        await DeliverAsync(transport, firstLease);
        firstLease.Dispose();

        // Taken over, then dropped as a job the pacer abandons is: the connection must not stay open without a place.
        (await Acquire(registry)).Dispose();

        await _provider.WaitUntilAsync(() => _provider.OpenConnections == 0, Limit);
        Assert.Equal(0, registry.IdlePlaceCount);
        using var elsewhere = await Acquire(other);
        Assert.Equal(1, await PlacesInRedis());
    }

    public async Task DisposeAsync()
    {
        _file.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await _provider.DisposeAsync();
        _server.Dispose();
    }

    private static Task<ConnectionLease> Acquire(PacingRegistry registry) =>
        registry.AcquireConnectionAsync(Provider, null, CancellationToken.None).AsTask().WaitAsync(Limit);

    private PacingRegistry Registry(RedisSharedPacing shared, int ceiling) =>
        SharedPacingFixture.Registry(shared, _time, $$$"""{"{{{Domain}}}":{"maxConnections":{{{ceiling}}}}}""");

    private SmtpDeliveryTransport Transport() =>
        TransportFactory.Create(TransportFactory.RouteTo(Domain, new IPEndPoint(IPAddress.Loopback, _provider.Port)), timeProvider: _time);

    private async Task DeliverAsync(SmtpDeliveryTransport transport, ConnectionLease lease)
    {
        var request = new DeliveryRequest(_file.Entry, Domain, ["user@example.net"])
        {
            Pacing = new PacedConnection(Provider.Value, lease.MaxMessages, Provider.Value, false, lease),
        };
        var results = await transport.DeliverAsync(request, CancellationToken.None);
        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
    }

    private async Task<long> PlacesInRedis()
    {
        _redis ??= await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_server.Port}");
        return await _redis.GetDatabase().SortedSetLengthAsync($"{{{_prefix}}}:conn:p:{Domain}");
    }
}
