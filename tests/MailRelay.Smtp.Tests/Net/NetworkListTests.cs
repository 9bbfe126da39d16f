using System.Net;
using MailRelay.Smtp.Net;

namespace MailRelay.Smtp.Tests.Net;

public class NetworkListTests
{
    [Theory]
    [InlineData("127.0.0.0/8", "127.0.0.1", true)]
    [InlineData("127.0.0.0/8", "128.0.0.1", false)]
    [InlineData("10.42.0.0/16", "10.42.255.255", true)]
    [InlineData("10.42.0.0/16", "10.43.0.0", false)]
    [InlineData("10.42.0.0/16", "::ffff:10.42.1.2", true)]
    [InlineData("10.42.0.0/16", "::ffff:10.43.1.2", false)]
    [InlineData("::ffff:10.42.0.0/112", "10.42.9.9", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    public void Contains_matches_across_families(string range, string address, bool expected)
    {
        var list = NetworkList.Parse(range);

        Assert.Equal(expected, list.Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("2001:db8::/129")]
    public void Parse_names_the_bad_entry(string entry)
    {
        var error = Assert.Throws<FormatException>(() => NetworkList.Parse("127.0.0.0/8, " + entry));

        Assert.Contains(entry, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10/8", "10.0.0.0/8")]
    [InlineData("10.42/16", "10.42.0.0/16")]
    [InlineData("192.168.1/24", "192.168.1.0/24")]
    [InlineData("10.0.0/8", "10.0.0.0/8")]
    [InlineData("10", "10.0.0.0")]
    [InlineData("1.2/8", "1.0.0.0/8")]
    [InlineData("172.16.5/12", "172.16.0.0/12")]
    public void Short_ipv4_forms_are_refused_with_the_octets_completed_on_the_right(string entry, string meant)
    {
        var error = Assert.Throws<FormatException>(() => NetworkList.Parse(entry));

        Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"did you mean {meant}?", error.Message, StringComparison.Ordinal);

        // The hint is itself a valid entry.
        Assert.Single(NetworkList.Parse(meant).ToString().Split(','));
    }

    [Theory]
    [InlineData("0x0a.0.0.0/8")]
    [InlineData("010.0.0.0/8")]
    [InlineData("167772160/8")]
    public void Other_inet_aton_forms_are_refused(string entry)
    {
        var error = Assert.Throws<FormatException>(() => NetworkList.Parse(entry));

        Assert.Contains(entry, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_list_contains_nothing()
    {
        Assert.False(NetworkList.Parse("").Contains(IPAddress.Loopback));
        Assert.False(NetworkList.Parse(null).Contains(IPAddress.Loopback));
    }
}
