using System.Net;
using MailRelay.Configuration;
using MailRelay.Delivery;
using MailRelay.Delivery.Transport;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>
/// The transport's side of one transaction per next hop: a request's recipients at several domains that route to the
/// same next hop share one MAIL transaction with one RCPT each, and each recipient keeps its own outcome.
/// </summary>
public sealed class TransactionPerNextHopTests : IDisposable
{
    private static readonly string[] ThreeDomains = ["a@one.test", "b@two.test", "c@three.test"];
    private readonly TestQueueFile _file = TestQueueFile.Create("Subject: three domains\r\n\r\nbody\r\n", recipients: ThreeDomains);

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Recipients_at_three_domains_go_to_the_smarthost_in_one_transaction_with_three_RCPTs()
    {
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(Smarthost(smarthost.EndPoint));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, "one.test", ThreeDomains), CancellationToken.None);

        Assert.All(results, result => Assert.Equal(RecipientOutcome.Delivered, result.Outcome));
        var received = Assert.Single(smarthost.Messages);
        Assert.Equal(ThreeDomains, received.Recipients);
        Assert.Single(smarthost.Commands, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal));
        Assert.Equal(3, smarthost.Commands.Count(c => c.StartsWith("RCPT TO:", StringComparison.Ordinal)));
        Assert.Single(ThreeDomains.Select(r => transport.NextHopKeyOf(RecipientDomain.Of(r))).Distinct());
    }

    [Fact]
    public async Task One_transaction_records_a_550_a_451_and_a_250_each_for_its_own_recipient()
    {
        await using var smarthost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address => address switch
            {
                "a@one.test" => "550 5.1.1 No such user here",
                "b@two.test" => "451 4.3.0 Try again later",
                _ => "250 2.1.5 Ok",
            },
        });
        await using var transport = TransportFactory.Create(Smarthost(smarthost.EndPoint));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, "one.test", ThreeDomains), CancellationToken.None);

        Assert.Equal(ThreeDomains, results.Select(r => r.Recipient));
        Assert.Equal([RecipientOutcome.Failed, RecipientOutcome.Deferred, RecipientOutcome.Delivered], results.Select(r => r.Outcome));
        Assert.Equal("550 5.1.1 No such user here", results[0].Reply.ToString());
        Assert.Equal("451 4.3.0 Try again later", results[1].Reply.ToString());
        Assert.Equal(["c@three.test"], Assert.Single(smarthost.Messages).Recipients);
    }

    [Fact]
    public async Task Domains_routed_to_one_destination_share_a_transaction_and_another_destination_gets_its_own()
    {
        await using var shared = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var other = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(Routes(("one.test", shared.EndPoint), ("three.test", shared.EndPoint), ("two.test", other.EndPoint)));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, "one.test", ThreeDomains), CancellationToken.None);

        Assert.All(results, result => Assert.Equal(RecipientOutcome.Delivered, result.Outcome));
        Assert.Equal(["a@one.test", "c@three.test"], Assert.Single(shared.Messages).Recipients);
        Assert.Equal(["b@two.test"], Assert.Single(other.Messages).Recipients);
        Assert.Equal(transport.NextHopKeyOf("one.test"), transport.NextHopKeyOf("three.test"));
        Assert.NotEqual(transport.NextHopKeyOf("one.test"), transport.NextHopKeyOf("two.test"));
    }

    [Fact]
    public async Task A_paced_request_whose_domains_now_route_apart_makes_one_transaction_and_defers_the_rest()
    {
        await using var shared = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var other = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(Routes(("one.test", shared.EndPoint), ("three.test", shared.EndPoint), ("two.test", other.EndPoint)));
        var pacing = new PacedConnection("one.test", MaxMessages: null, CeilingKey: null, GlobalCeiling: false);

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, "one.test", ThreeDomains) { Pacing = pacing }, CancellationToken.None);

        Assert.Equal(["a@one.test", "c@three.test"], Assert.Single(shared.Messages).Recipients);
        Assert.Equal(0, other.Connections);
        var moved = Assert.Single(results, r => r.Recipient == "b@two.test");
        Assert.Equal(RecipientOutcome.Deferred, moved.Outcome);
        Assert.Equal("4.4.3", moved.Reply.EnhancedCode);
    }

    private static SmtpTransportOptions Smarthost(IPEndPoint endPoint) => new()
    {
        HostName = "relay.origin.test",
        RelayHost = endPoint.Address.ToString(),
        RelayPort = endPoint.Port,
        RelayTls = RelayTlsMode.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        CommandTimeout = TimeSpan.FromSeconds(10),
        TransactionTimeout = TimeSpan.FromSeconds(10),
    };

    private static SmtpTransportOptions Routes(params (string Domain, IPEndPoint EndPoint)[] routes) => new()
    {
        HostName = "relay.origin.test",
        Routes = routes.ToDictionary(r => r.Domain, r => new DeliveryRoute(r.EndPoint.Address.ToString(), r.EndPoint.Port)),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        CommandTimeout = TimeSpan.FromSeconds(10),
        TransactionTimeout = TimeSpan.FromSeconds(10),
    };
}
