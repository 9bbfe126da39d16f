namespace MailRelay.Tests.Configuration;

public class ForeignVariableDetectorTests
{
    [Theory]
    [InlineData("RELAYHOST_USERNAME", "user", "RELAY_USERNAME")]
    [InlineData("RELAYHOST_PASSWORD", "secret", "RELAY_PASSWORD")]
    [InlineData("RELAYHOST_PASSWORD_FILE", "/run/secrets/relay", "RELAY_PASSWORD_FILE")]
    [InlineData("POSTFIX_smtp_tls_security_level", "encrypt", "RELAY_TLS")]
    [InlineData("MYNETWORKS", "10.0.0.0/8", "TRUSTED_NETWORKS")]
    [InlineData("POSTFIX_mynetworks", "10.0.0.0/8", "TRUSTED_NETWORKS")]
    [InlineData("MESSAGE_SIZE_LIMIT", "10240000", "MAX_MESSAGE_SIZE")]
    [InlineData("POSTFIX_message_size_limit", "10240000", "MAX_MESSAGE_SIZE")]
    [InlineData("ALLOWED_SENDER_DOMAINS", "example.com", "MAIL_DOMAINS or SENDER_ALLOWED_FROM")]
    [InlineData("POSTFIX_myhostname", "mx.example.com", "MAIL_HOSTNAME")]
    [InlineData("POSTFIX_inet_protocols", "ipv4", "INET_PROTOCOLS")]
    [InlineData("DKIM_AUTOGENERATE", "true", "DKIM_AUTO_GENERATE")]
    [InlineData("INBOUND_DEBUGGING", "1", "LOG_LEVEL")]
    public void A_postfix_name_gives_one_warning_naming_our_variable(string name, string value, string ours)
    {
        var result = TestEnvironment.Load((name, value));

        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(name, warning.Variable);
        Assert.EndsWith($"ignored; use {ours}.", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RELAYHOST")]
    [InlineData("POSTFIX_relayhost")]
    public void A_smarthost_set_only_under_a_postfix_name_stops_the_start(string name)
    {
        var result = TestEnvironment.Load((name, "[smtp.example.net]:587"));

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(name, error.Variable);
        Assert.Contains("mail would go straight to the recipients' MX hosts. Set RELAY_HOST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_smarthost_under_both_names_is_only_a_warning()
    {
        var result = TestEnvironment.Load(("RELAYHOST", "smtp.example.net"), ("RELAY_HOST", "smtp.example.net"));

        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        Assert.Equal("RELAYHOST", Assert.Single(result.Warnings).Variable);
    }

    [Fact]
    public void A_blank_postfix_name_is_not_reported()
    {
        var result = TestEnvironment.Load(("RELAYHOST", " "), ("MYNETWORKS", string.Empty));

        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
    }
}
