using System.Net;
using MailRelay.Configuration;
using MailRelay.Dns;

namespace MailRelay.Tests.Dns;

[Collection(DnsmasqTestGroup.Name)]
public sealed class MailExchangerResolverTests(DnsmasqFixture dns)
{
    [Fact]
    public async Task Mx_hosts_come_by_preference_with_equal_preferences_shuffled()
    {
        var resolver = Resolver(InetProtocols.IPv4, new Random(42));
        var firsts = new HashSet<string>();
        for (var lookup = 0; lookup < 20; lookup++)
        {
            var result = await resolver.LookupMxAsync("ordered.test", CancellationToken.None);
            Assert.Equal(MxLookupStatus.Found, result.Status);
            Assert.Equal([10, 10, 20], result.Exchangers.Select(exchanger => exchanger.Preference));
            Assert.Equal("mx-b.ordered.test", result.Exchangers[2].Host);
            firsts.Add(result.Exchangers[0].Host);
        }

        Assert.Equal(["mx-a.ordered.test", "mx-c.ordered.test"], firsts.Order());
    }

    [Fact]
    public async Task A_domain_without_mx_falls_back_to_its_address()
    {
        var resolver = Resolver(InetProtocols.IPv4);

        var mx = await resolver.LookupMxAsync("implicit.test", CancellationToken.None);
        var addresses = await resolver.LookupAddressesAsync("implicit.test", CancellationToken.None);

        Assert.Equal(MxLookupStatus.NoMx, mx.Status);
        Assert.Equal([IPAddress.Parse("127.0.0.3")], addresses.Addresses);
    }

    [Fact]
    public async Task A_null_mx_is_recognised()
    {
        var result = await Resolver(InetProtocols.IPv4).LookupMxAsync("nullmx.test", CancellationToken.None);

        Assert.Equal(MxLookupStatus.NullMx, result.Status);
        Assert.Empty(result.Exchangers);
    }

    [Fact]
    public async Task An_unknown_domain_is_not_found()
    {
        var resolver = Resolver(InetProtocols.IPv4);

        var mx = await resolver.LookupMxAsync("nowhere.test", CancellationToken.None);
        var addresses = await resolver.LookupAddressesAsync("nowhere.test", CancellationToken.None);

        Assert.Equal(MxLookupStatus.DomainNotFound, mx.Status);
        Assert.Equal(AddressLookupStatus.NotFound, addresses.Status);
    }

    [Fact]
    public async Task An_unreachable_name_server_is_a_temporary_failure()
    {
        var lookup = DnsLookupClientFactory.Create([new IPEndPoint(IPAddress.Loopback, 9)], TimeSpan.FromMilliseconds(500));
        var resolver = new MailExchangerResolver(lookup, InetProtocols.IPv4);

        var mx = await resolver.LookupMxAsync("ordered.test", CancellationToken.None);
        var addresses = await resolver.LookupAddressesAsync("mx-a.ordered.test", CancellationToken.None);

        Assert.Equal(MxLookupStatus.TemporaryFailure, mx.Status);
        Assert.Equal(AddressLookupStatus.TemporaryFailure, addresses.Status);
    }

    [Theory]
    [InlineData(InetProtocols.IPv4, new[] { "127.0.0.41" })]
    [InlineData(InetProtocols.IPv6, new[] { "::1" })]
    [InlineData(InetProtocols.All, new[] { "::1", "127.0.0.41" })]
    public async Task Addresses_follow_inet_protocols(InetProtocols protocols, string[] expected)
    {
        var result = await Resolver(protocols).LookupAddressesAsync("dual.test", CancellationToken.None);

        Assert.Equal(expected.Select(IPAddress.Parse), result.Addresses);
    }

    private MailExchangerResolver Resolver(InetProtocols protocols, Random? random = null) =>
        new(DnsLookupClientFactory.Create([dns.Server.EndPoint], TimeSpan.FromSeconds(2)), protocols, random);
}
