using System.Net;
using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

public class DeliveryConfigurationTests
{
    [Fact]
    public void Smarthost_with_credentials_defaults_to_required_tls()
    {
        var delivery = TestEnvironment.LoadValid(
            ("RELAY_HOST", "SMTP.Example.NET"),
            ("RELAY_PORT", "2587"),
            ("RELAY_CREDENTIALS_ENABLED", "yes"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD", "s3cret")).Delivery;

        Assert.Equal("smtp.example.net", delivery.RelayHost);
        Assert.Equal(2587, delivery.RelayPort);
        Assert.NotNull(delivery.RelayCredentials);
        Assert.Equal("relay-user", delivery.RelayCredentials.UserName);
        Assert.Equal("s3cret", delivery.RelayCredentials.Password);
        Assert.Equal(RelayTlsMode.Required, delivery.RelayTls);
    }

    [Fact]
    public void The_password_can_come_from_a_file_without_its_final_line_break()
    {
        using var files = new TemporaryDirectory();
        var passwordFile = files.WriteFile("password", "from-file-secret\n");

        var delivery = TestEnvironment.LoadValid(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD_FILE", passwordFile)).Delivery;

        Assert.Equal("from-file-secret", delivery.RelayCredentials?.Password);
    }

    [Fact]
    public void Password_and_password_file_together_are_an_error()
    {
        using var files = new TemporaryDirectory();
        var passwordFile = files.WriteFile("password", "x");

        var result = TestEnvironment.Load(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD", "y"),
            ("RELAY_PASSWORD_FILE", passwordFile));

        Assert.Contains("RELAY_PASSWORD_FILE", TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Credentials_enabled_without_host_user_or_password_name_each_missing_variable()
    {
        var result = TestEnvironment.Load(("RELAY_CREDENTIALS_ENABLED", "true"));

        Assert.Equal(
            new[] { "RELAY_CREDENTIALS_ENABLED", "RELAY_PASSWORD", "RELAY_USERNAME" },
            TestEnvironment.ErrorVariables(result).Order());
    }

    [Fact]
    public void Credentials_over_plain_text_are_refused_for_a_remote_smarthost()
    {
        var result = TestEnvironment.Load(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "u"),
            ("RELAY_PASSWORD", "p"),
            ("RELAY_TLS", "none"));

        Assert.Equal(new[] { "RELAY_TLS" }, TestEnvironment.ErrorVariables(result));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Credentials_over_plain_text_are_allowed_to_a_loopback_smarthost(string host)
    {
        var delivery = TestEnvironment.LoadValid(
            ("RELAY_HOST", host),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "u"),
            ("RELAY_PASSWORD", "p"),
            ("RELAY_TLS", "none")).Delivery;

        Assert.Equal(RelayTlsMode.None, delivery.RelayTls);
    }

    [Fact]
    public void Credentials_that_are_set_but_not_enabled_give_a_warning_and_are_not_used()
    {
        var result = TestEnvironment.Load(("RELAY_USERNAME", "u"), ("RELAY_PASSWORD", "p"));

        Assert.True(result.IsValid);
        Assert.Null(result.Configuration.Delivery.RelayCredentials);
        Assert.Contains(result.Warnings, w => w.Variable == "RELAY_CREDENTIALS_ENABLED");
    }

    [Fact]
    public void Delivery_routes_dns_servers_and_protocols_are_typed()
    {
        var delivery = TestEnvironment.LoadValid(
            ("DELIVERY_ROUTES", """{"Corp.Example": "mx.internal:2525", "lab.example": "[2001:db8::25]:26", "plain.example": "192.0.2.5"}"""),
            ("DNS_SERVERS", "192.0.2.53, 192.0.2.54:5353, 2001:db8::53, [2001:db8::54]:5353"),
            ("INET_PROTOCOLS", "ALL"),
            ("RETRY_SCHEDULE", "30s,, 10m ,2h"),
            ("QUEUE_LIFETIME", "3d")).Delivery;

        Assert.Equal(new DeliveryRoute("mx.internal", 2525), delivery.Routes["corp.example"]);
        Assert.Equal(new DeliveryRoute("2001:db8::25", 26), delivery.Routes["lab.example"]);
        Assert.Equal(new DeliveryRoute("192.0.2.5", 25), delivery.Routes["plain.example"]);
        Assert.Equal(
            new[]
            {
                new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53),
                new IPEndPoint(IPAddress.Parse("192.0.2.54"), 5353),
                new IPEndPoint(IPAddress.Parse("2001:db8::53"), 53),
                new IPEndPoint(IPAddress.Parse("2001:db8::54"), 5353),
            },
            delivery.DnsServers);
        Assert.Equal(InetProtocols.All, delivery.InetProtocols);
        Assert.Equal(new[] { TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), TimeSpan.FromHours(2) }, delivery.RetrySchedule);
        Assert.Equal(TimeSpan.FromDays(3), delivery.QueueLifetime);
    }

    [Theory]
    [InlineData("""{"example.com": 25}""")]
    [InlineData("""{"bad domain": "mx.example.net"}""")]
    [InlineData("""{"example.com": "mx.example.net", "EXAMPLE.com": "mx2.example.net"}""")]
    [InlineData("""["example.com"]""")]
    [InlineData("""{"example.com": "mx.example.net:25""")]
    [InlineData("""{"example.com": "mx.example.net:0"}""")]
    [InlineData("""{"example.com": "192.0.2.5:0"}""")]
    [InlineData("""{"example.com": "[2001:db8::25]:0"}""")]
    public void Bad_delivery_routes_are_refused(string routes)
    {
        var result = TestEnvironment.Load(("DELIVERY_ROUTES", routes));

        Assert.Equal(new[] { "DELIVERY_ROUTES" }, TestEnvironment.ErrorVariables(result));
    }

    [Theory]
    [InlineData("192.0.2.53:0")]
    [InlineData("[2001:db8::53]:0")]
    public void A_dns_server_on_port_0_is_refused(string servers)
    {
        var result = TestEnvironment.Load(("DNS_SERVERS", servers));

        Assert.Equal(new[] { "DNS_SERVERS" }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Relay_credentials_never_print_the_password()
    {
        var credentials = new RelayCredentials("relay-user", "Distinctive-Passw0rd");

        Assert.DoesNotContain("Distinctive-Passw0rd", credentials.ToString(), StringComparison.Ordinal);
        var config = TestEnvironment.LoadValid(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD", "Distinctive-Passw0rd"));
        Assert.DoesNotContain("Distinctive-Passw0rd", config.ToString(), StringComparison.Ordinal);
        Assert.Contains("relay-user", config.ToString(), StringComparison.Ordinal);
    }
}
