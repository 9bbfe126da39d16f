using System.Net;

namespace MailRelay.Tests.Configuration;

public class TrustConfigurationTests
{
    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    [InlineData("10.0.0.0/8, 0.0.0.0/0")]
    [InlineData("::ffff:0.0.0.0/96")]
    public void Networks_matching_everyone_are_refused_as_an_open_relay(string networks)
    {
        var result = TestEnvironment.Load(("TRUSTED_NETWORKS", networks));

        var error = Assert.Single(result.Errors);
        Assert.Equal("TRUSTED_NETWORKS", error.Variable);
        Assert.Contains("open relay", error.Message, StringComparison.Ordinal);
        Assert.Contains("ALLOW_OPEN_RELAY_NETWORKS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trusting_every_proxy_is_refused_too()
    {
        var result = TestEnvironment.Load(("SMTP_LISTENERS", "2525/proxy"), ("PROXY_TRUSTED_PROXIES", "0.0.0.0/0"));

        Assert.Contains("PROXY_TRUSTED_PROXIES", TestEnvironment.ErrorVariables(result));
        Assert.Null(result.Configuration);
    }

    [Theory]
    [InlineData("TRUSTED_NETWORKS", "10/8", "10.0.0.0/8")]
    [InlineData("TRUSTED_NETWORKS", "10.42/16", "10.42.0.0/16")]
    [InlineData("TRUSTED_NETWORKS", "192.168.1/24", "192.168.1.0/24")]
    [InlineData("TRUSTED_NETWORKS", "10.0.0/8", "10.0.0.0/8")]
    [InlineData("PROXY_TRUSTED_PROXIES", "10/8", "10.0.0.0/8")]
    [InlineData("PROXY_TRUSTED_PROXIES", "192.168.1/24", "192.168.1.0/24")]
    public void Short_ipv4_forms_are_refused_with_the_range_people_mean(string variable, string value, string meant)
    {
        var result = TestEnvironment.Load(("SMTP_LISTENERS", "2525/proxy"), (variable, value));

        var error = Assert.Single(result.Errors, e => e.Variable == variable);
        Assert.Contains($"did you mean {meant}?", error.Message, StringComparison.Ordinal);
        Assert.Null(result.Configuration);
    }

    [Fact]
    public void The_operator_can_explicitly_allow_an_open_relay()
    {
        var result = TestEnvironment.Load(("TRUSTED_NETWORKS", "0.0.0.0/0,::/0"), ("ALLOW_OPEN_RELAY_NETWORKS", "true"));

        Assert.True(result.IsValid);
        var config = result.Configuration;
        Assert.Contains(result.Warnings, w => w.Variable == "TRUSTED_NETWORKS" && w.Message.Contains("open relay", StringComparison.Ordinal));
        Assert.True(config.TrustedNetworks.Contains(IPAddress.Parse("203.0.113.9")));
        Assert.True(config.TrustedNetworks.Contains(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void Trusted_networks_hold_ipv4_and_ipv6_ranges()
    {
        var config = TestEnvironment.LoadValid(("TRUSTED_NETWORKS", "10.42.0.0/16, 2001:db8::/32"));

        Assert.True(config.TrustedNetworks.Contains(IPAddress.Parse("10.42.7.7")));
        Assert.True(config.TrustedNetworks.Contains(IPAddress.Parse("::ffff:10.42.7.7")));
        Assert.True(config.TrustedNetworks.Contains(IPAddress.Parse("2001:db8::25")));
        Assert.False(config.TrustedNetworks.Contains(IPAddress.Loopback));
    }

    [Fact]
    public void None_trusts_no_network()
    {
        var config = TestEnvironment.LoadValid(("TRUSTED_NETWORKS", "none"));

        Assert.True(config.TrustedNetworks.IsEmpty);
        Assert.False(config.TrustedNetworks.Contains(IPAddress.Loopback));
    }
}
