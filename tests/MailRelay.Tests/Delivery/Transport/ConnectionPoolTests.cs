using MailRelay.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class ConnectionPoolTests
{
    private const string Domain = "dest.test";

    [Fact]
    public async Task An_idle_connection_is_closed_when_its_lifetime_ends_and_the_next_message_reconnects()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var options = TransportFactory.RouteTo(Domain, server.EndPoint);
        await using var transport = TransportFactory.Create(options, timeProvider: time);
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);
        Assert.Equal(1, transport.Pool.Count);

        time.Advance(options.IdleConnectionLifetime);
        Assert.Equal(0, transport.Pool.Count);

        var results = await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["b@dest.test"]), CancellationToken.None);
        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_connection_is_not_reused_past_its_message_limit()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var route = TransportFactory.RouteTo(Domain, server.EndPoint);
        var options = new MailRelay.Delivery.Transport.SmtpTransportOptions
        {
            HostName = route.HostName,
            Routes = route.Routes,
            MaxMessagesPerConnection = 2,
        };
        await using var transport = TransportFactory.Create(options);
        using var file = TestQueueFile.Create("Subject: hi\r\n\r\nbody\r\n");

        for (var message = 0; message < 3; message++)
        {
            await transport.DeliverAsync(new DeliveryRequest(file.Entry, Domain, ["a@dest.test"]), CancellationToken.None);
        }

        Assert.Equal(3, server.Messages.Count);
        Assert.Equal(2, server.Connections);
    }
}
