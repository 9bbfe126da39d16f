using System.Net;
using MailRelay.Dnsbl;

namespace MailRelay.Tests.Dnsbl;

public class DnsblQueryNameTests
{
    private static readonly DnsblList IpList = new("bl.example.net", "bl.example.net", DnsblListKind.Ip, DnsblListSyntax.GenericListed, DnsblListSyntax.GenericErrors);
    private static readonly DnsblList DomainList = new("dbl.example.net", "dbl.example.net", DnsblListKind.Domain, DnsblListSyntax.GenericListed, DnsblListSyntax.GenericErrors);

    [Theory]
    [InlineData("192.0.2.99", "99.2.0.192")]
    [InlineData("203.0.113.7", "7.113.0.203")]
    [InlineData("1.2.3.4", "4.3.2.1")]
    public void An_ipv4_address_is_its_octets_reversed(string address, string expected)
    {
        Assert.Equal(expected, DnsblQueryName.Reverse(IPAddress.Parse(address)));
    }

    [Fact]
    public void An_ipv6_address_is_its_32_nibbles_reversed()
    {
        // RFC 5782 §2.4's own example.
        Assert.Equal(
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2",
            DnsblQueryName.Reverse(IPAddress.Parse("2001:db8:1:2:3:4:567:89ab")));
    }

    [Fact]
    public void An_ipv6_address_with_zero_runs_keeps_every_nibble()
    {
        var name = DnsblQueryName.Reverse(IPAddress.Parse("2001:db8::1"));

        Assert.Equal(32, name.Split('.').Length);
        Assert.Equal("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", name);
    }

    [Fact]
    public void An_ipv4_mapped_address_is_asked_as_ipv4()
    {
        Assert.Equal("7.113.0.203", DnsblQueryName.Reverse(IPAddress.Parse("::ffff:203.0.113.7")));
    }

    [Fact]
    public void The_query_name_is_the_reversed_address_or_the_domain_before_the_zone()
    {
        Assert.Equal("7.113.0.203.bl.example.net.", DnsblQueryName.For(IpList, "203.0.113.7"));
        Assert.Equal("example.org.dbl.example.net.", DnsblQueryName.For(DomainList, "example.org"));
    }
}
