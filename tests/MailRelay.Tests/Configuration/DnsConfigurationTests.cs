using System.Net;

namespace MailRelay.Tests.Configuration;

/// <summary>DNS automation's rules that span variables: where the public address comes from, and what is refused.</summary>
public class DnsConfigurationTests
{
    [Fact]
    public void Detection_off_and_no_addresses_stops_the_start_naming_both_variables()
    {
        var result = TestEnvironment.Load(
            ("MAIL_DOMAINS", "example.com"), ("DNS_PROVIDER", "cloudflare"), ("CLOUDFLARE_API_TOKEN", "token"), ("DNS_IP_DETECTION", "false"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("DNS_EXTERNAL_IPS", error.Variable);
        Assert.Contains("DNS_IP_DETECTION", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", null, 300)]
    [InlineData("false", "203.0.113.1", 21600)]
    [InlineData("true", "203.0.113.1", 21600)]
    public void The_check_interval_follows_the_seeds_table(string detection, string? addresses, int seconds)
    {
        var configuration = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "example.com"), ("DNS_PROVIDER", "cloudflare"), ("CLOUDFLARE_API_TOKEN", "token"),
            ("DNS_IP_DETECTION", detection), ("DNS_EXTERNAL_IPS", addresses));

        Assert.Equal(TimeSpan.FromSeconds(seconds), configuration.Dns.CheckInterval);
        Assert.Equal(addresses is null ? [] : [IPAddress.Parse(addresses)], configuration.Dns.ExternalIps);
    }

    [Fact]
    public void With_a_smarthost_and_no_address_records_no_address_is_needed()
    {
        var result = TestEnvironment.Load(
            ("MAIL_DOMAINS", "example.com"), ("DNS_PROVIDER", "cloudflare"), ("CLOUDFLARE_API_TOKEN", "token"), ("DNS_IP_DETECTION", "false"),
            ("RELAY_HOST", "smtp.example.net"), ("DNS_RECORDS", "spf,dkim,dmarc"), ("DNS_SPF_INCLUDE", "_spf.example.net"));

        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
    }

    [Fact]
    public void Hmac_sha384_is_refused_because_the_dns_library_signs_it_wrongly()
    {
        var result = TestEnvironment.Load(
            ("DNS_PROVIDER", "rfc2136"), ("DNS_RFC2136_SERVER", "127.0.0.1"), ("DNS_RFC2136_TSIG_NAME", "relay-key"),
            ("DNS_RFC2136_TSIG_SECRET", "c2VjcmV0"), ("DNS_RFC2136_TSIG_ALGORITHM", "hmac-sha384"), ("DNS_EXTERNAL_IPS", "203.0.113.1"));

        Assert.Equal(["DNS_RFC2136_TSIG_ALGORITHM"], TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void A_tsig_key_name_written_with_its_trailing_dot_names_the_same_key()
    {
        var configuration = TestEnvironment.LoadValid(
            ("DNS_PROVIDER", "rfc2136"), ("DNS_RFC2136_SERVER", "127.0.0.1:5353"), ("DNS_RFC2136_TSIG_NAME", "relay-key.example.com."),
            ("DNS_RFC2136_TSIG_SECRET", "c2VjcmV0"), ("DNS_EXTERNAL_IPS", "203.0.113.1"));

        Assert.Equal("relay-key.example.com", configuration.Dns.Rfc2136!.TsigKeyName);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5353), configuration.Dns.Rfc2136.Server);
        Assert.Equal("secret"u8.ToArray(), configuration.Dns.Rfc2136.TsigSecret);
    }
}
