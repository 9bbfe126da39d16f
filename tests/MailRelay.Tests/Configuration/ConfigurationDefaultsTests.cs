using System.Net;
using MailRelay.Configuration;
using MailRelay.Smtp.Session;
using Serilog.Events;

namespace MailRelay.Tests.Configuration;

public class ConfigurationDefaultsTests
{
    [Fact]
    public void Empty_environment_gives_the_embedded_default()
    {
        var config = TestEnvironment.LoadValid();

        Assert.Equal(TestEnvironment.MachineHostName, config.HostName);
        Assert.Empty(config.Domains);
        var listener = Assert.Single(config.Listeners);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2525), listener.EndPoint);
        Assert.False(listener.ProxyProtocol);
        Assert.False(listener.ImplicitTls);
        Assert.Equal("127.0.0.0/8", config.TrustedNetworks.ToString());
        Assert.True(config.TrustedProxies.IsEmpty);
        Assert.Equal(TimeSpan.FromSeconds(5), config.ProxyHeaderTimeout);
        Assert.Null(config.Tls);
        Assert.Equal(new SmtpAuthSettings(Enabled: false, UsersFile: null, RequireTls: true), config.Auth);
        Assert.Equal(TimeSpan.FromSeconds(30), config.ShutdownTimeout);
        Assert.Equal("/srv/relay-test/data", config.DataDirectory);
        Assert.True(config.PersistenceEnabled);
        Assert.False(config.SenderAccessEnabled);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), config.AdminEndPoint);
        Assert.Equal(LogFormat.Text, config.LogFormat);
        Assert.Equal(LogEventLevel.Information, config.LogLevel);
    }

    [Fact]
    public void Smtp_limits_default_as_documented()
    {
        var smtp = TestEnvironment.LoadValid().Smtp;

        Assert.Equal(26_214_400, smtp.MaxMessageSize);
        Assert.Equal(1000, smtp.MaxRecipients);
        Assert.Equal(BareNewlinePolicy.Reject, smtp.BareNewline);
        Assert.Equal(1000, smtp.MaxSessions);
        Assert.Equal(50, smtp.MaxSessionsPerClient);
        Assert.Equal(TimeSpan.FromMinutes(5), smtp.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), smtp.DataTimeout);
        Assert.Equal(1024, smtp.MinDataRate);
        Assert.Equal(TimeSpan.FromHours(1), smtp.SessionMaxDuration);
        Assert.Equal(10, smtp.MaxErrors);
    }

    [Fact]
    public void Delivery_defaults_to_direct_mx_with_the_documented_retries()
    {
        var delivery = TestEnvironment.LoadValid().Delivery;

        Assert.Null(delivery.RelayHost);
        Assert.Equal(587, delivery.RelayPort);
        Assert.Null(delivery.RelayCredentials);
        Assert.Equal(RelayTlsMode.Opportunistic, delivery.RelayTls);
        Assert.Empty(delivery.Routes);
        Assert.Empty(delivery.DnsServers);
        Assert.Equal(InetProtocols.IPv4, delivery.InetProtocols);
        Assert.Equal(
            new[] { 1, 5, 15, 30, 60, 120, 240 }.Select(m => TimeSpan.FromMinutes(m)),
            delivery.RetrySchedule);
        Assert.Equal(TimeSpan.FromDays(5), delivery.QueueLifetime);
    }

    [Theory]
    [InlineData("./data", "/srv/relay-test/data")]
    [InlineData("data", "/srv/relay-test/data")]
    [InlineData("../spool/q", "/srv/spool/q")]
    [InlineData("/var/lib/mailrelay", "/var/lib/mailrelay")]
    public void A_relative_data_dir_resolves_against_the_directory_the_command_ran_in(string given, string expected)
    {
        var config = TestEnvironment.LoadValid(("DATA_DIR", given));

        Assert.Equal(expected, config.DataDirectory);
        Assert.Equal(Path.Combine(expected, "dkim-keys"), config.Dkim.KeyDirectory);
    }

    [Fact]
    public void A_relative_dkim_key_dir_resolves_against_the_directory_the_command_ran_in_not_data_dir()
    {
        var config = TestEnvironment.LoadValid(("DATA_DIR", "/var/lib/mailrelay"), ("DKIM_KEY_DIR", "keys"));

        Assert.Equal("/srv/relay-test/keys", config.Dkim.KeyDirectory);
    }

    [Fact]
    public void Dkim_defaults_follow_mail_domains_and_data_dir()
    {
        var config = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "example.com, Example.org:s2024"),
            ("DATA_DIR", "/var/lib/mailrelay"));

        Assert.True(config.Dkim.Enabled);
        Assert.True(config.Dkim.AutoGenerate);
        Assert.Equal(2048, config.Dkim.KeySize);
        Assert.Equal("mail", config.Dkim.DefaultSelector);
        Assert.Equal(
            new[] { new MailDomain("example.com", "mail"), new MailDomain("example.org", "s2024") },
            config.Dkim.Domains);
        Assert.Equal(config.Domains, config.Dkim.Domains);
        Assert.Equal(Path.Combine("/var/lib/mailrelay", "dkim-keys"), config.Dkim.KeyDirectory);
    }

    [Fact]
    public void Pacing_defaults_are_off_with_empty_tables()
    {
        var config = TestEnvironment.LoadValid();

        Assert.False(config.RateLimit.Enabled);
        Assert.Empty(config.RateLimit.Global.EnumerateObject());
        Assert.Empty(config.RateLimit.Domains.EnumerateObject());
        Assert.False(config.AdaptiveRate.Enabled);
        Assert.Empty(config.AdaptiveRate.Defaults.EnumerateObject());
        Assert.Empty(config.AdaptiveRate.Domains.EnumerateObject());
    }

    [Fact]
    public void Empty_environment_gives_no_errors_and_no_warnings()
    {
        var result = TestEnvironment.Load();

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Blank_values_mean_the_default()
    {
        var config = TestEnvironment.LoadValid(("SMTP_LISTENERS", "  "), ("MAX_MESSAGE_SIZE", ""));

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2525), Assert.Single(config.Listeners).EndPoint);
        Assert.Equal(26_214_400, config.Smtp.MaxMessageSize);
    }

    [Fact]
    public void Every_registry_variable_is_resolved_and_reported_in_registry_order()
    {
        var result = TestEnvironment.Load();

        Assert.Equal(ConfigurationRegistry.Variables.Select(v => v.Name), result.Values.Select(v => v.Variable.Name));
        Assert.All(result.Values, v => Assert.True(v.FromDefault, v.Variable.Name));
        Assert.Contains(result.Values, v => v.Variable.Name == "MAIL_HOSTNAME" && v.DisplayText == TestEnvironment.MachineHostName);
    }

    [Fact]
    public void The_loader_reads_every_registry_variable()
    {
        // A variable given a value must come back marked as not-default; one the loader never read would not.
        var values = ConfigurationRegistry.Variables.ToDictionary(v => v.Name, v => (string?)"x");
        var result = ConfigurationLoader.Load(values, () => TestEnvironment.MachineHostName);

        Assert.All(result.Values, v => Assert.False(v.FromDefault, v.Variable.Name + " was never read from the environment"));
    }

    [Fact]
    public void Apply_to_copies_the_smtp_settings_onto_the_engine_options()
    {
        var config = TestEnvironment.LoadValid(
            ("MAIL_HOSTNAME", "mx.example.com"),
            ("MAX_MESSAGE_SIZE", "10M"),
            ("MAX_RECIPIENTS", "250"),
            ("SMTP_BARE_NEWLINE", "normalize"),
            ("SMTP_COMMAND_TIMEOUT", "2m"),
            ("SMTP_DATA_TIMEOUT", "90s"),
            ("SMTP_MIN_DATA_RATE", "0"),
            ("SMTP_SESSION_MAX_DURATION", "20m"),
            ("SMTP_MAX_ERRORS", "3"),
            ("SMTP_AUTH_REQUIRE_TLS", "false"));
        var options = new SmtpServerOptions();

        config.ApplyTo(options);

        Assert.Equal("mx.example.com", options.HostName);
        Assert.Equal(10 * 1024 * 1024, options.MaxMessageSize);
        Assert.Equal(250, options.MaxRecipients);
        Assert.Equal(BareNewlinePolicy.Normalize, options.BareNewline);
        Assert.Equal(TimeSpan.FromMinutes(2), options.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), options.DataTimeout);
        Assert.Equal(0, options.MinDataRate);
        Assert.Equal(TimeSpan.FromMinutes(20), options.MaxSessionDuration);
        Assert.Equal(3, options.MaxConsecutiveErrors);
        Assert.False(options.AuthRequiresTls);
        Assert.Null(options.Authenticator);
    }

    [Theory]
    [InlineData("2s", 2)]
    [InlineData("5m", 30)]
    public void The_TLS_handshake_is_bound_by_the_command_timeout_up_to_30_seconds(string commandTimeout, int handshakeSeconds)
    {
        var config = TestEnvironment.LoadValid(("SMTP_COMMAND_TIMEOUT", commandTimeout));
        var options = new SmtpServerOptions();

        config.ApplyTo(options);

        Assert.Equal(TimeSpan.FromSeconds(handshakeSeconds), options.TlsHandshakeTimeout);
    }
}
