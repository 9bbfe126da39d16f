using System.Net;
using MailRelay.Delivery;
using MailRelay.Delivery.Transport;
using MailRelay.Tests.Dns;

namespace MailRelay.Tests.Delivery.Transport;

[Collection(DnsmasqTestGroup.Name)]
public sealed class MxDeliveryTests(DnsmasqFixture dns) : IAsyncLifetime, IDisposable
{
    private readonly TestQueueFile _file = TestQueueFile.Create("Subject: to an MX\r\n\r\nbody\r\n");
    private MxServers _servers = null!;
    private SmtpDeliveryTransport _transport = null!;

    public async Task InitializeAsync()
    {
        _servers = await MxServers.StartAsync();
        _transport = TransportFactory.Create(
            new SmtpTransportOptions
            {
                HostName = "relay.origin.test",
                MxPort = _servers.Port,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                CommandTimeout = TimeSpan.FromSeconds(10),
                TransactionTimeout = TimeSpan.FromSeconds(10),
            },
            dns.Server.EndPoint);
    }

    public async Task DisposeAsync()
    {
        await _transport.DisposeAsync();
        await _servers.DisposeAsync();
    }

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task A_421_greeting_from_the_first_mx_moves_on_to_the_second()
    {
        var result = await DeliverOneAsync("failover.test");

        Assert.Equal(RecipientOutcome.Delivered, result.Outcome);
        Assert.Equal("mx2.failover.test", result.RemoteHost);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.3"), _servers.Port), result.RemoteEndPoint);
        Assert.Equal(1, _servers.Busy.Connections);
        Assert.Single(_servers.Accepting.Messages);
    }

    [Fact]
    public async Task A_refused_connection_to_the_first_mx_moves_on_to_the_second()
    {
        var result = await DeliverOneAsync("refused.test");

        Assert.Equal(RecipientOutcome.Delivered, result.Outcome);
        Assert.Equal("mx2.refused.test", result.RemoteHost);
        Assert.Single(_servers.Accepting.Messages);
    }

    [Fact]
    public async Task A_domain_without_mx_gets_its_mail_at_its_own_address()
    {
        var result = await DeliverOneAsync("implicit.test");

        Assert.Equal(RecipientOutcome.Delivered, result.Outcome);
        Assert.Equal("implicit.test", result.RemoteHost);
        Assert.Single(_servers.Accepting.Messages);
    }

    [Fact]
    public async Task A_null_mx_fails_permanently_without_connecting()
    {
        var result = await DeliverOneAsync("nullmx.test");

        Assert.Equal(RecipientOutcome.Failed, result.Outcome);
        Assert.Equal(556, result.Reply.Code);
        Assert.Equal("5.1.10", result.Reply.EnhancedCode);
        Assert.Null(result.RemoteEndPoint);
    }

    [Fact]
    public async Task A_domain_that_does_not_exist_fails_permanently()
    {
        var result = await DeliverOneAsync("nowhere.test");

        Assert.Equal(RecipientOutcome.Failed, result.Outcome);
        Assert.Equal("5.1.2", result.Reply.EnhancedCode);
    }

    [Fact]
    public async Task A_5xx_greeting_from_the_only_mx_fails_permanently()
    {
        var result = await DeliverOneAsync("badgreeting.test");

        Assert.Equal(RecipientOutcome.Failed, result.Outcome);
        Assert.Equal(new RemoteReply(554, "5.7.1", "No service for you"), result.Reply);
        Assert.Equal(1, _servers.Refusing.Connections);
    }

    [Fact]
    public async Task An_unreachable_name_server_defers_and_never_bounces()
    {
        await using var transport = TransportFactory.Create(new SmtpTransportOptions { HostName = "relay.origin.test", MxPort = _servers.Port });

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, "failover.test", ["a@failover.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Deferred, result.Outcome);
        Assert.Equal("4.4.3", result.Reply.EnhancedCode);
        Assert.Equal(0, _servers.Accepting.Connections);
    }

    [Fact]
    public async Task Domains_with_the_same_MX_hosts_share_a_next_hop_key_once_looked_up_and_one_transaction()
    {
        Assert.NotEqual(_transport.NextHopKeyOf("samehosts-a.test"), _transport.NextHopKeyOf("samehosts-b.test"));
        await DeliverOneAsync("samehosts-a.test");
        await DeliverOneAsync("samehosts-b.test");
        Assert.Equal(_transport.NextHopKeyOf("samehosts-a.test"), _transport.NextHopKeyOf("samehosts-b.test"));
        Assert.NotEqual(_transport.NextHopKeyOf("samehosts-a.test"), _transport.NextHopKeyOf("failover.test"));

        var results = await _transport.DeliverAsync(
            new DeliveryRequest(_file.Entry, "samehosts-a.test", ["one@samehosts-a.test", "two@samehosts-b.test"]), CancellationToken.None);

        Assert.All(results, result => Assert.Equal(RecipientOutcome.Delivered, result.Outcome));
        Assert.Equal(["one@samehosts-a.test", "two@samehosts-b.test"], _servers.Accepting.Messages.Last().Recipients);
        Assert.Equal(3, _servers.Accepting.Messages.Count);
    }

    private async Task<RecipientResult> DeliverOneAsync(string domain)
    {
        var results = await _transport.DeliverAsync(new DeliveryRequest(_file.Entry, domain, ["someone@" + domain]), CancellationToken.None);
        return Assert.Single(results);
    }
}
