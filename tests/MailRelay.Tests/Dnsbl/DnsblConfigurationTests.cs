using System.Net;
using MailRelay.Configuration;
using MailRelay.Tests.Configuration;

namespace MailRelay.Tests.Dnsbl;

public class DnsblConfigurationTests
{
    [Fact]
    public void Without_known_addresses_the_monitor_is_off_and_says_why()
    {
        var dnsbl = TestEnvironment.LoadValid(("MAIL_DOMAINS", "example.com")).Dnsbl;

        Assert.False(dnsbl.Enabled);
        Assert.Equal(DnsblAddressOrigin.None, dnsbl.AddressOrigin);
        Assert.Contains("DNSBL_IPS", dnsbl.OffReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Dnsbl_ips_turn_it_on_and_win_over_dns_external_ips()
    {
        var dnsbl = TestEnvironment.LoadValid(("DNSBL_IPS", "203.0.113.7, 2001:db8::25"), ("DNS_EXTERNAL_IPS", "198.51.100.1")).Dnsbl;

        Assert.True(dnsbl.Enabled);
        Assert.Null(dnsbl.OffReason);
        Assert.Equal(DnsblAddressOrigin.DnsblIps, dnsbl.AddressOrigin);
        Assert.Equal([IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::25")], dnsbl.Addresses);
    }

    [Fact]
    public void Dns_external_ips_are_the_default_addresses()
    {
        var dnsbl = TestEnvironment.LoadValid(("DNS_EXTERNAL_IPS", "198.51.100.1")).Dnsbl;

        Assert.True(dnsbl.Enabled);
        Assert.Equal(DnsblAddressOrigin.DnsExternalIps, dnsbl.AddressOrigin);
        Assert.Equal([IPAddress.Parse("198.51.100.1")], dnsbl.Addresses);
    }

    [Fact]
    public void A_dns_provider_with_detection_makes_the_detected_address_the_default()
    {
        var dnsbl = TestEnvironment.LoadValid(("DNS_PROVIDER", "rfc2136"), ("DNS_RFC2136_SERVER", "127.0.0.1"), ("MAIL_DOMAINS", "example.com")).Dnsbl;

        Assert.True(dnsbl.Enabled);
        Assert.Equal(DnsblAddressOrigin.Detected, dnsbl.AddressOrigin);
        Assert.Empty(dnsbl.Addresses);
    }

    [Fact]
    public void Through_a_smarthost_the_relay_addresses_are_not_the_sending_ones()
    {
        var dnsbl = TestEnvironment.LoadValid(("RELAY_HOST", "smtp.example.net"), ("DNS_EXTERNAL_IPS", "198.51.100.1")).Dnsbl;

        Assert.False(dnsbl.Enabled);
        Assert.Contains("RELAY_HOST", dnsbl.OffReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Domains_default_to_mail_domains_and_none_checks_none()
    {
        var byDefault = TestEnvironment.LoadValid(("MAIL_DOMAINS", "example.com,example.org:s1"), ("DNSBL_IPS", "203.0.113.7")).Dnsbl;
        var none = TestEnvironment.LoadValid(("MAIL_DOMAINS", "example.com"), ("DNSBL_IPS", "203.0.113.7"), ("DNSBL_DOMAINS", "none")).Dnsbl;
        var given = TestEnvironment.LoadValid(("MAIL_DOMAINS", "example.com"), ("DNSBL_IPS", "203.0.113.7"), ("DNSBL_DOMAINS", "Example.NET")).Dnsbl;

        Assert.Equal(["example.com", "example.org"], byDefault.Domains);
        Assert.Empty(none.Domains);
        Assert.Equal(["example.net"], given.Domains);
    }

    [Fact]
    public void The_default_lists_and_interval_are_the_documented_ones()
    {
        var dnsbl = TestEnvironment.LoadValid(("DNSBL_IPS", "203.0.113.7")).Dnsbl;

        Assert.Equal(TimeSpan.FromHours(1), dnsbl.Interval);
        Assert.Equal(["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "bl.mailspike.net", "psbl.surriel.com"], dnsbl.IpLists.Select(l => l.Zone));
        Assert.Equal(["dbl.spamhaus.org", "multi.surbl.org", "multi.uribl.com"], dnsbl.DomainLists.Select(l => l.Zone));
    }

    [Fact]
    public void The_interval_is_read()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), TestEnvironment.LoadValid(("DNSBL_INTERVAL", "15m")).Dnsbl.Interval);
    }

    [Fact]
    public void Enabled_false_turns_it_off_even_with_addresses()
    {
        var dnsbl = TestEnvironment.LoadValid(("DNSBL_IPS", "203.0.113.7"), ("DNSBL_ENABLED", "false")).Dnsbl;

        Assert.False(dnsbl.Enabled);
        Assert.Equal("DNSBL_ENABLED is false", dnsbl.OffReason);
    }

    [Fact]
    public void Enabled_true_without_addresses_checks_the_domains_and_warns()
    {
        var result = TestEnvironment.Load(("DNSBL_ENABLED", "true"), ("MAIL_DOMAINS", "example.com"));

        Assert.True(result.IsValid);
        Assert.True(result.Configuration.Dnsbl.Enabled);
        Assert.Equal(DnsblAddressOrigin.None, result.Configuration.Dnsbl.AddressOrigin);
        Assert.Contains(result.Warnings, w => w.Variable == "DNSBL_IPS");
    }

    [Fact]
    public void Enabled_true_with_nothing_to_check_is_an_error()
    {
        var result = TestEnvironment.Load(("DNSBL_ENABLED", "true"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("DNSBL_ENABLED", error.Variable);
        Assert.Contains("nothing to check", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_list_at_all_leaves_the_default_off()
    {
        var dnsbl = TestEnvironment.LoadValid(("DNSBL_IPS", "203.0.113.7"), ("DNSBL_IP_LISTS", "none"), ("DNSBL_DOMAIN_LISTS", "none")).Dnsbl;

        Assert.False(dnsbl.Enabled);
        Assert.Contains("none", dnsbl.OffReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DNSBL_IPS", "192.168.1.10", "not a public address")]
    [InlineData("DNSBL_IPS", "203.0.113.0/24", "not an IP address")]
    [InlineData("DNSBL_INTERVAL", "30s", "shorter than 1m")]
    [InlineData("DNSBL_IP_LISTS", "bl.example.net=127.0.0.2/127.0.0.2", "both a listing and an error")]
    public void Bad_values_name_the_problem(string variable, string value, string expected)
    {
        var result = TestEnvironment.Load((variable, value));

        var error = Assert.Single(result.Errors);
        Assert.Equal(variable, error.Variable);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
