using System.Net;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing;

public class HttpAddressDetectorTests
{
    [Fact]
    public async Task The_first_service_that_answers_one_public_address_wins_and_later_ones_are_not_asked()
    {
        await using var services = await FakeHttpAnswers.StartAsync(new Dictionary<string, (int, string)>
        {
            ["/broken"] = (500, "oops"),
            ["/inside"] = (200, "10.42.0.7\n"),
            ["/chatty"] = (200, "Your address is 203.0.113.5, have a nice day"),
            ["/ipify"] = (200, "203.0.113.7\n"),
            ["/never"] = (200, "198.51.100.1"),
        });
        using var http = new HttpClient();
        var detector = new HttpAddressDetector(
            [services.Url("/broken"), services.Url("/inside"), services.Url("/chatty"), services.Url("/ipify"), services.Url("/never")],
            http, TimeSpan.FromSeconds(10), TimeProvider.System);

        var addresses = await detector.GetAddressesAsync(CancellationToken.None);

        Assert.Equal([IPAddress.Parse("203.0.113.7")], addresses);
        Assert.Equal(1, services.Hits("/broken"));
        Assert.Equal(0, services.Hits("/never"));
    }

    [Fact]
    public async Task When_no_service_gives_an_address_the_error_says_what_each_answered_and_what_to_set()
    {
        await using var services = await FakeHttpAnswers.StartAsync(new Dictionary<string, (int, string)>
        {
            ["/broken"] = (503, "busy"),
            ["/loopback"] = (200, "127.0.0.1"),
        });
        using var http = new HttpClient();
        var detector = new HttpAddressDetector([services.Url("/broken"), services.Url("/loopback")], http, TimeSpan.FromSeconds(10), TimeProvider.System);

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => detector.GetAddressesAsync(CancellationToken.None));

        Assert.Contains("/broken: HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains("/loopback: the answer is not one public address", error.Message, StringComparison.Ordinal);
        Assert.Contains("DNS_EXTERNAL_IPS", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("2001:db8::25", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.100", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("169.254.1.1", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void Only_addresses_reachable_from_the_internet_are_public(string address, bool expected)
    {
        Assert.Equal(expected, PublicAddress.IsPublic(IPAddress.Parse(address)));
    }
}
