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
