using MailRelay.Configuration;
using MailRelay.Delivery.Transport;
using MailRelay.Dns;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class DeliveryRouterTests
{
    private static readonly MailExchangerResolver UnusedResolver =
        new(DnsLookupClientFactory.Create([TransportFactory.SilentDns], TimeSpan.FromMilliseconds(200)), InetProtocols.IPv4);

    [Fact]
    public async Task A_route_matches_its_exact_domain_in_any_case_but_not_its_subdomains()
    {
        var router = new DeliveryRouter(Options(RelayTlsMode.Opportunistic, 587), UnusedResolver);

        var exact = await router.PlanAsync("Routed.TEST", CancellationToken.None);
        var subdomain = await router.PlanAsync("mail.routed.test", CancellationToken.None);

        Assert.Equal(RouteKind.TransportMap, exact.Kind);
        Assert.Equal(new NextHop("127.0.0.9", 2526, HopSecurity.Opportunistic, null), Assert.Single(exact.Hosts));
        Assert.Equal(RouteKind.Smarthost, subdomain.Kind);
    }

    [Theory]
    [InlineData(RelayTlsMode.Required, 587, HopSecurity.RequiredStartTls)]
    [InlineData(RelayTlsMode.Required, 465, HopSecurity.ImplicitTls)]
    [InlineData(RelayTlsMode.Opportunistic, 587, HopSecurity.Opportunistic)]
    [InlineData(RelayTlsMode.None, 25, HopSecurity.None)]
    public async Task The_smarthost_gets_the_tls_that_relay_tls_and_its_port_ask_for(RelayTlsMode mode, int port, HopSecurity expected)
    {
        var options = Options(mode, port);
        var router = new DeliveryRouter(options, UnusedResolver);

        var plan = await router.PlanAsync("anywhere.test", CancellationToken.None);

        var hop = Assert.Single(plan.Hosts);
        Assert.Equal(expected, hop.Security);
        Assert.Equal(port, hop.Port);
        Assert.Same(options.RelayCredentials, hop.Credentials);
    }

    [Fact]
    public void With_a_smarthost_every_unrouted_domain_shares_its_next_hop_and_a_routed_domain_keeps_its_destination()
    {
        var router = new DeliveryRouter(Options(RelayTlsMode.Opportunistic, 587), UnusedResolver);

        Assert.Equal(router.NextHopKeyOf("one.test"), router.NextHopKeyOf("Two.TEST."));
        Assert.NotEqual(router.NextHopKeyOf("one.test"), router.NextHopKeyOf("routed.test"));
        Assert.Equal("route:127.0.0.9:2526", router.NextHopKeyOf("ROUTED.test"));
    }

    [Fact]
    public void Domains_share_a_next_hop_when_their_last_lookups_named_the_same_MX_hosts_in_any_order_of_equal_preference()
    {
        var router = new DeliveryRouter(new SmtpTransportOptions { HostName = "relay.origin.test" }, UnusedResolver);
        Assert.NotEqual(router.NextHopKeyOf("a.test"), router.NextHopKeyOf("b.test"));

        router.Remember("a.test", Found(("mx1.hoster.test", 10), ("mx2.hoster.test", 10), ("backup.hoster.test", 20)));
        router.Remember("b.test", Found(("MX2.hoster.test", 10), ("mx1.hoster.test", 10), ("backup.hoster.test", 20)));
        router.Remember("c.test", Found(("mx1.hoster.test", 10), ("mx2.hoster.test", 20), ("backup.hoster.test", 20)));

        Assert.Equal(router.NextHopKeyOf("a.test"), router.NextHopKeyOf("b.test"));
        Assert.NotEqual(router.NextHopKeyOf("a.test"), router.NextHopKeyOf("c.test"));

        // A domain that no longer has MX records (its own address, or none) shares nothing any more.
        router.Remember("b.test", new MxLookupResult(MxLookupStatus.NoMx, [], "b.test has no MX records"));
        Assert.NotEqual(router.NextHopKeyOf("a.test"), router.NextHopKeyOf("b.test"));
    }

    private static MxLookupResult Found(params (string Host, int Preference)[] hosts) =>
        new(MxLookupStatus.Found, [.. hosts.Select(h => new MailExchanger(h.Host, h.Preference))], "found");

    private static SmtpTransportOptions Options(RelayTlsMode tls, int port) => new()
    {
        HostName = "relay.origin.test",
        RelayHost = "smarthost.origin.test",
        RelayPort = port,
        RelayTls = tls,
        RelayCredentials = new RelayCredentials("user", "secret"),
        Routes = new Dictionary<string, DeliveryRoute> { ["routed.test"] = new("127.0.0.9", 2526) },
    };
}
