using System.Net;
using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

public class ListenerConfigurationTests
{
    [Fact]
    public void Listeners_parse_addresses_ports_and_flags()
    {
        using var files = new TemporaryDirectory();
        var (certificate, key) = files.WriteCertificatePair();

        var config = TestEnvironment.LoadValid(
            ("SMTP_LISTENERS", "127.0.0.1:2525, [::1]:2526/proxy, 25/proxy/tls, 0.0.0.0:587/TLS"),
            ("PROXY_TRUSTED_PROXIES", "10.0.0.0/8"),
            ("TLS_CERT_FILE", certificate),
            ("TLS_KEY_FILE", key));

        Assert.Equal(
            new[]
            {
                new ListenerEndpoint(new IPEndPoint(IPAddress.Loopback, 2525), false, false),
                new ListenerEndpoint(new IPEndPoint(IPAddress.IPv6Loopback, 2526), true, false),
                new ListenerEndpoint(new IPEndPoint(IPAddress.IPv6Any, 25), true, true),
                new ListenerEndpoint(new IPEndPoint(IPAddress.Any, 587), false, true),
            },
            config.Listeners);
        Assert.Equal(new TlsCertificateFiles(certificate, key), config.Tls);
    }

    [Fact]
    public void A_listener_without_an_address_binds_the_dual_stack_wildcard()
    {
        var config = TestEnvironment.LoadValid(("SMTP_LISTENERS", "2525"));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 2525), Assert.Single(config.Listeners).EndPoint);
        Assert.Equal("[::]:2525", config.Listeners[0].ToString());
    }

    [Theory]
    [InlineData("::1:25")]
    [InlineData("[::1]25")]
    [InlineData("localhost:25")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:25/starttls")]
    [InlineData("127.0.0.1:25/proxy/proxy")]
    [InlineData("127.0.0.1:25,127.0.0.1:25")]
    [InlineData("25,127.0.0.1:25")]
    [InlineData("0.0.0.0:25,127.0.0.1:25")]
    [InlineData(",,")]
    public void Bad_listener_lists_are_refused(string listeners)
    {
        var result = TestEnvironment.Load(("SMTP_LISTENERS", listeners));

        Assert.Contains("SMTP_LISTENERS", TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Port_zero_asks_the_kernel_for_free_ports_and_never_clashes()
    {
        var config = TestEnvironment.LoadValid(("SMTP_LISTENERS", "127.0.0.1:0,127.0.0.1:0/proxy"), ("PROXY_TRUSTED_PROXIES", "127.0.0.1"), ("ADMIN_LISTEN", "127.0.0.1:0"));

        Assert.Equal(2, config.Listeners.Count);
        Assert.All(config.Listeners, l => Assert.Equal(0, l.EndPoint.Port));
        Assert.Equal(0, config.AdminEndPoint!.Port);
    }

    [Fact]
    public void Different_ports_and_different_specific_addresses_do_not_clash()
    {
        var config = TestEnvironment.LoadValid(("SMTP_LISTENERS", "127.0.0.1:25,127.0.0.2:25,[::1]:25,0.0.0.0:26,[::1]:26"));

        Assert.Equal(5, config.Listeners.Count);
    }

    [Fact]
    public void A_proxy_listener_requires_trusted_proxies()
    {
        var result = TestEnvironment.Load(("SMTP_LISTENERS", "127.0.0.1:2525/proxy"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("PROXY_TRUSTED_PROXIES", error.Variable);
    }

    [Fact]
    public void Trusted_proxies_without_a_proxy_listener_give_a_warning()
    {
        var result = TestEnvironment.Load(("PROXY_TRUSTED_PROXIES", "10.0.0.0/8"));

        Assert.True(result.IsValid);
        Assert.Contains(result.Warnings, w => w.Variable == "PROXY_TRUSTED_PROXIES");
    }

    [Fact]
    public void An_implicit_tls_listener_requires_a_certificate()
    {
        var result = TestEnvironment.Load(("SMTP_LISTENERS", "127.0.0.1:465/tls"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("SMTP_LISTENERS", error.Variable);
        Assert.Contains("TLS_CERT_FILE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_and_key_must_come_together()
    {
        using var files = new TemporaryDirectory();
        var (certificate, _) = files.WriteCertificatePair();

        var result = TestEnvironment.Load(("TLS_CERT_FILE", certificate));

        Assert.Equal(new[] { "TLS_KEY_FILE" }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void A_certificate_that_does_not_load_is_refused()
    {
        using var files = new TemporaryDirectory();
        var certificate = files.WriteFile("cert.pem", "not a certificate");
        var key = files.WriteFile("key.pem", "not a key");

        var result = TestEnvironment.Load(("TLS_CERT_FILE", certificate), ("TLS_KEY_FILE", key));

        Assert.Equal(new[] { "TLS_CERT_FILE" }, TestEnvironment.ErrorVariables(result));
    }

    [Fact]
    public void Admin_listen_accepts_an_endpoint_or_none()
    {
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 9090), TestEnvironment.LoadValid(("ADMIN_LISTEN", "[::]:9090")).AdminEndPoint);
        Assert.Null(TestEnvironment.LoadValid(("ADMIN_LISTEN", "NONE")).AdminEndPoint);
    }

    [Fact]
    public void Admin_listen_on_an_smtp_listener_is_refused()
    {
        var result = TestEnvironment.Load(("SMTP_LISTENERS", "8080"), ("ADMIN_LISTEN", "127.0.0.1:8080"));

        Assert.Equal(new[] { "ADMIN_LISTEN" }, TestEnvironment.ErrorVariables(result));
    }
}
