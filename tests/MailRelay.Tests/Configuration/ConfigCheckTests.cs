using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

public class ConfigCheckTests
{
    private const string Password = "Zq7-Unmistakable-Relay-Secret";

    private static (int ExitCode, string Stdout, string Stderr) Run(params (string, string?)[] variables)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = ConfigCheck.Run(TestEnvironment.Of(variables), stdout, stderr, () => TestEnvironment.MachineHostName, TestEnvironment.WorkingDirectory);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Valid_configuration_prints_one_line_per_variable_and_exits_zero()
    {
        var (exitCode, stdout, stderr) = Run(("MAIL_HOSTNAME", "mx.example.com"), ("SMTP_LISTENERS", "2525"));

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ConfigurationRegistry.Variables.Select(v => v.Name),
            lines.Take(ConfigurationRegistry.Variables.Count).Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]));
        Assert.Contains("MAIL_HOSTNAME=mx.example.com", lines);
        Assert.Contains("SMTP_LISTENERS=2525", lines);
        Assert.Contains("DATA_DIR=/srv/relay-test/data  # default", lines);
        Assert.Contains("DKIM_KEY_DIR=/srv/relay-test/data/dkim-keys  # default", lines);
        Assert.Contains("RELAY_TLS=opportunistic  # default", lines);
        Assert.Equal("configuration is valid", lines[^1]);
    }

    [Fact]
    public void A_spamhaus_dqs_key_in_the_blocklists_is_never_printed()
    {
        const string Key = "k3yofthesubscriber0123456789";
        var (exitCode, stdout, _) = Run(
            ("DNSBL_IPS", "203.0.113.25"),
            ("DNSBL_IP_LISTS", $"{Key}.zen.dq.spamhaus.net,bl.spamcop.net"),
            ("DNSBL_DOMAIN_LISTS", $"{Key}.dbl.dq.spamhaus.net=127.0.1.2-127.0.1.99"));

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(Key, stdout, StringComparison.Ordinal);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"DNSBL_IP_LISTS={ConfigurationReport.Redacted}.zen.dq.spamhaus.net,bl.spamcop.net", lines);
        Assert.Contains($"DNSBL_DOMAIN_LISTS={ConfigurationReport.Redacted}.dbl.dq.spamhaus.net=127.0.1.2-127.0.1.99", lines);
    }

    [Fact]
    public void A_relative_data_dir_is_printed_as_the_absolute_path_used()
    {
        var (exitCode, stdout, _) = Run(("DATA_DIR", "spool"), ("DKIM_KEY_DIR", "../keys"));

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("DATA_DIR=/srv/relay-test/spool", lines);
        Assert.Contains("DKIM_KEY_DIR=/srv/keys", lines);
    }

    [Fact]
    public void Warnings_follow_the_values()
    {
        var (exitCode, stdout, _) = Run(("SMTP_LISTENER", "25"));

        Assert.Equal(0, exitCode);
        Assert.Contains("warning: SMTP_LISTENER: unknown variable, ignored; did you mean SMTP_LISTENERS?", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Postfix_names_are_printed_as_warnings_and_a_foreign_smarthost_as_an_error()
    {
        var (warnExit, warnStdout, _) = Run(("MYNETWORKS", "10.0.0.0/8"));
        var (errorExit, _, errorStderr) = Run(("RELAYHOST", "smtp.example.net"));

        Assert.Equal(0, warnExit);
        Assert.Contains("warning: MYNETWORKS: is a Postfix name that MailRelay does not read, ignored; use TRUSTED_NETWORKS.", warnStdout, StringComparison.Ordinal);
        Assert.Equal(1, errorExit);
        Assert.Contains("error: RELAYHOST: is a Postfix name", errorStderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_go_to_stderr_with_exit_code_one()
    {
        var (exitCode, stdout, stderr) = Run(("MAX_MESSAGE_SIZE", "huge"), ("LOG_FORMAT", "xml"));

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("invalid configuration (2 errors)", stderr, StringComparison.Ordinal);
        Assert.Contains("error: MAX_MESSAGE_SIZE: ", stderr, StringComparison.Ordinal);
        Assert.Contains("error: LOG_FORMAT: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_relay_password_is_redacted()
    {
        var (exitCode, stdout, stderr) = Run(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD", Password));

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(Password, stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("RELAY_PASSWORD=********\n", stdout, StringComparison.Ordinal);
        Assert.Contains("RELAY_USERNAME=relay-user\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_from_a_file_is_never_printed()
    {
        using var files = new TemporaryDirectory();
        var passwordFile = files.WriteFile("relay-password", Password + "\n");

        var (exitCode, stdout, stderr) = Run(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD_FILE", passwordFile));

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(Password, stdout + stderr, StringComparison.Ordinal);
        Assert.Contains($"RELAY_PASSWORD_FILE={passwordFile}\n", stdout, StringComparison.Ordinal);
        Assert.Contains("RELAY_PASSWORD=  # default\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_is_not_echoed_in_errors_either()
    {
        var (exitCode, stdout, stderr) = Run(
            ("RELAY_HOST", "smtp.example.net"),
            ("RELAY_CREDENTIALS_ENABLED", "true"),
            ("RELAY_USERNAME", "relay-user"),
            ("RELAY_PASSWORD", Password + "\r\n"),
            ("RELAY_TLS", "none"));

        Assert.Equal(1, exitCode);
        Assert.Contains("RELAY_PASSWORD", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_spanning_lines_stays_on_one_line()
    {
        var (exitCode, stdout, _) = Run(("DELIVERY_ROUTES", "{\n  \"example.com\": \"mx.example.net\"\n}"));

        Assert.Equal(0, exitCode);
        Assert.Contains("DELIVERY_ROUTES={\\n  \"example.com\": \"mx.example.net\"\\n}\n", stdout, StringComparison.Ordinal);
        Assert.Equal(ConfigurationRegistry.Variables.Count + 1, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void The_redaction_does_not_reveal_the_length()
    {
        var shortSecret = ConfigurationReport.Write(TestEnvironment.Load(("RELAY_PASSWORD", "a")));
        var longSecret = ConfigurationReport.Write(TestEnvironment.Load(("RELAY_PASSWORD", new string('b', 64))));

        Assert.Equal(shortSecret, longSecret);
        Assert.Contains("RELAY_PASSWORD=********\n", shortSecret, StringComparison.Ordinal);
    }
}
