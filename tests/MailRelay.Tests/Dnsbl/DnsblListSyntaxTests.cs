using System.Net;
using MailRelay.Dnsbl;

namespace MailRelay.Tests.Dnsbl;

public class DnsblListSyntaxTests
{
    [Fact]
    public void A_known_zone_alone_takes_its_documented_codes()
    {
        var list = Parse("zen.spamhaus.org", DnsblListKind.Ip);

        Assert.Equal("zen.spamhaus.org", list.Name);
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.0.4")));
        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.255.255.254")));
        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.255.255.252")));
        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.255.255.255")));
    }

    [Fact]
    public void Dbl_invalid_query_code_is_an_error_and_its_listings_are_listings()
    {
        var list = Parse("dbl.spamhaus.org", DnsblListKind.Domain);

        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.0.1.255")));
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.1.2")));
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.1.106")));
        Assert.Equal(DnsblAnswerMeaning.Unexpected, list.Classify(IPAddress.Parse("127.0.0.2")));
    }

    [Theory]
    [InlineData("multi.uribl.com")]
    [InlineData("multi.surbl.org")]
    public void Uribl_and_surbl_127_0_0_1_is_a_refusal_not_a_listing(string zone)
    {
        var list = Parse(zone, DnsblListKind.Domain);

        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.0.0.1")));
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.0.8")));
    }

    [Fact]
    public void The_defaults_parse_and_leave_out_sorbs()
    {
        Assert.True(DnsblListSyntax.TryParse(DnsblListSyntax.DefaultIpLists, DnsblListKind.Ip, out var ip, out var error), error);
        Assert.True(DnsblListSyntax.TryParse(DnsblListSyntax.DefaultDomainLists, DnsblListKind.Domain, out var domain, out error), error);

        Assert.Equal(["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "bl.mailspike.net", "psbl.surriel.com"], ip.Select(l => l.Zone));
        Assert.Equal(["dbl.spamhaus.org", "multi.surbl.org", "multi.uribl.com"], domain.Select(l => l.Zone));
        Assert.All(ip.Concat(domain), l => Assert.DoesNotContain("sorbs", l.Zone, StringComparison.Ordinal));
        Assert.All(ip.Concat(domain), l => Assert.NotSame(DnsblListSyntax.GenericListed, l.Listed));
    }

    [Fact]
    public void An_unknown_zone_alone_takes_the_generic_codes()
    {
        var list = Parse("bl.example.net", DnsblListKind.Ip);

        Assert.Equal(DnsblListSyntax.GenericListed, list.Listed);
        Assert.Equal(DnsblListSyntax.GenericErrors, list.Errors);
        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.0.0.1")));
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(DnsblAnswerMeaning.Unexpected, list.Classify(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void Ranges_and_single_answers_are_read_for_listed_and_errors()
    {
        var list = Parse("BL.Example.NET = 127.0.0.2;127.0.0.4-127.0.0.8 / 127.0.0.1;127.0.0.200-127.0.0.201", DnsblListKind.Ip);

        Assert.Equal("bl.example.net", list.Zone);
        Assert.Equal("bl.example.net=127.0.0.2;127.0.0.4-127.0.0.8/127.0.0.1;127.0.0.200-127.0.0.201", list.Describe());
        Assert.Equal(DnsblAnswerMeaning.Listed, list.Classify(IPAddress.Parse("127.0.0.8")));
        Assert.Equal(DnsblAnswerMeaning.Unexpected, list.Classify(IPAddress.Parse("127.0.0.3")));
        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.0.0.201")));
    }

    [Fact]
    public void Listed_codes_without_errors_leave_every_other_answer_unexpected()
    {
        var list = Parse("bl.example.net=127.0.0.2", DnsblListKind.Ip);

        Assert.Empty(list.Errors);
        Assert.Equal(DnsblAnswerMeaning.Unexpected, list.Classify(IPAddress.Parse("127.255.255.254")));
    }

    [Fact]
    public void A_dqs_zone_keeps_its_key_out_of_the_name_and_answers_as_the_public_zone()
    {
        var list = Parse("abcdefghijklmnopqrstuvwxyz.zen.dq.spamhaus.net", DnsblListKind.Ip);

        Assert.Equal("zen.dq.spamhaus.net", list.Name);
        Assert.Equal("abcdefghijklmnopqrstuvwxyz.zen.dq.spamhaus.net", list.Zone);
        Assert.Equal(DnsblAnswerMeaning.Refused, list.Classify(IPAddress.Parse("127.255.255.254")));
    }

    [Fact]
    public void None_is_no_list()
    {
        Assert.True(DnsblListSyntax.TryParse(" None ", DnsblListKind.Ip, out var lists, out _));
        Assert.Empty(lists);
    }

    [Theory]
    [InlineData("bl example net", "not a valid domain name")]
    [InlineData("localhost", "not a fully qualified")]
    [InlineData("bl.example.net=10.0.0.2", "outside 127.0.0.0/8")]
    [InlineData("bl.example.net=127.0.0.9-127.0.0.2", "backwards")]
    [InlineData("bl.example.net=127.0.0.2-127.0.0.9/127.0.0.5", "both a listing and an error")]
    [InlineData("bl.example.net=", "missing")]
    [InlineData("bl.example.net=/127.0.0.1", "missing")]
    [InlineData("bl.example.net=127.0.0.2/127.0.0.1/127.0.0.3", "more than one '/'")]
    [InlineData("bl.example.net=127.1", "not an IPv4 address")]
    [InlineData("bl.example.net=127.0.0.2-127.0.0.3-127.0.0.4", "not an address or a range")]
    [InlineData("bl.example.net,BL.example.net", "given twice")]
    [InlineData(",", "is empty")]
    public void A_bad_entry_is_refused_with_what_is_wrong(string text, string expected)
    {
        Assert.False(DnsblListSyntax.TryParse(text, DnsblListKind.Ip, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("zone=listed/errors", error, StringComparison.Ordinal);
    }

    private static DnsblList Parse(string text, DnsblListKind kind)
    {
        Assert.True(DnsblListSyntax.TryParse(text, kind, out var lists, out var error), error);
        var list = Assert.Single(lists);
        Assert.Equal(kind, list.Kind);
        return list;
    }
}
