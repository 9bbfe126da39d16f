using MailRelay.Delivery;
using MailRelay.Delivery.Transport;
using MailRelay.RateLimiting;
using MailRelay.Tests.Dns;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>What the transport does for paced requests: per-connection ceilings, per-scope pools, provider learning.</summary>
[Collection(DnsmasqTestGroup.Name)]
public sealed class PacedTransportTests(DnsmasqFixture dns) : IDisposable
{
    private readonly TestQueueFile _file = TestQueueFile.Create("Subject: paced\r\n\r\nbody\r\n");

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task A_paced_connection_carries_no_more_messages_than_its_ceiling()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo("dest.test", server.EndPoint));
        var pacing = new PacedConnection("dest.test", MaxMessages: 2, CeilingKey: null, GlobalCeiling: false);

        for (var i = 0; i < 5; i++)
        {
            var results = await transport.DeliverAsync(Request("dest.test") with { Pacing = pacing }, CancellationToken.None);
            Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        }

        Assert.Equal(5, server.Messages.Count);
        Assert.Equal(3, server.Connections);
    }

    [Fact]
    public async Task Pooled_connections_are_reused_only_within_their_pacing_scope()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo("dest.test", server.EndPoint));

        await transport.DeliverAsync(Request("dest.test") with { Pacing = Scope("one.test") }, CancellationToken.None);
        await transport.DeliverAsync(Request("dest.test") with { Pacing = Scope("two.test") }, CancellationToken.None);
        await transport.DeliverAsync(Request("dest.test") with { Pacing = Scope("one.test") }, CancellationToken.None);

        Assert.Equal(3, server.Messages.Count);
        Assert.Equal(2, server.Connections);
        Assert.Equal(2, transport.Pool.Count);
    }

    [Fact]
    public async Task Under_a_connection_ceiling_an_idle_connection_of_the_scope_closes_before_a_new_one_opens()
    {
        await using var first = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var second = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var routed = TransportFactory.RouteTo("first.test", first.EndPoint);
        var options = new SmtpTransportOptions
        {
            HostName = routed.HostName,
            Routes = new Dictionary<string, MailRelay.Configuration.DeliveryRoute>(routed.Routes)
            {
                ["second.test"] = new(second.EndPoint.Address.ToString(), second.EndPoint.Port),
            },
            ConnectTimeout = routed.ConnectTimeout,
            CommandTimeout = routed.CommandTimeout,
            TransactionTimeout = routed.TransactionTimeout,
        };
        await using var transport = TransportFactory.Create(options);
        var pacing = new PacedConnection("provider.test", MaxMessages: null, CeilingKey: "provider.test", GlobalCeiling: false);

        await transport.DeliverAsync(Request("first.test") with { Pacing = pacing }, CancellationToken.None);
        Assert.Equal(1, transport.Pool.Count);
        Assert.DoesNotContain("QUIT", first.Commands);

        await transport.DeliverAsync(Request("second.test") with { Pacing = pacing }, CancellationToken.None);

        Assert.Contains("QUIT", first.Commands);
        Assert.Equal(1, transport.Pool.Count);
    }

    [Fact]
    public async Task Domains_whose_MX_hosts_share_a_registrable_domain_share_one_provider()
    {
        await using var transport = TransportFactory.Create(new SmtpTransportOptions { HostName = "relay.origin.test" }, dns.Server.EndPoint);
        var providers = new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true));

        var a = await transport.ProviderOfAsync("hosted-a.test", providers, CancellationToken.None);
        var b = await transport.ProviderOfAsync("HOSTED-B.test", providers, CancellationToken.None);

        Assert.Equal(new ProviderKey("sharedprovider.test"), a);
        Assert.Equal(a, b);
        Assert.Equal(a, providers.ForDomain("hosted-b.test"));
        Assert.Null(await transport.ProviderOfAsync("nowhere.test", providers, CancellationToken.None));
        Assert.Equal(new ProviderKey("implicit.test"), await transport.ProviderOfAsync("implicit.test", providers, CancellationToken.None));
    }

    [Fact]
    public async Task Routed_and_consumer_domains_are_classified_without_a_lookup()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());

        // The silent DNS server makes any lookup fail, so an answer proves none was needed.
        await using var transport = TransportFactory.Create(TransportFactory.RouteTo("dest.test", server.EndPoint));
        var providers = new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true));

        Assert.Equal(new ProviderKey("dest.test"), await transport.ProviderOfAsync("dest.test", providers, CancellationToken.None));
        Assert.Equal(new ProviderKey("google.com"), await transport.ProviderOfAsync("gmail.com", providers, CancellationToken.None));
        Assert.Equal(new ProviderKey("outlook.com"), await transport.ProviderOfAsync("hotmail.co.uk", providers, CancellationToken.None));
    }

    private static PacedConnection Scope(string key) => new(key, MaxMessages: null, CeilingKey: null, GlobalCeiling: false);

    private DeliveryRequest Request(string domain) => new(_file.Entry, domain, ["user@" + domain]);
}
