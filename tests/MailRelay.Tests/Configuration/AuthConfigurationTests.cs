using MailRelay.Configuration;
using MailRelay.Smtp.Session;

namespace MailRelay.Tests.Configuration;

public sealed class AuthConfigurationTests : IDisposable
{
    private readonly TemporaryDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Auth_with_a_users_file_and_a_certificate_is_valid()
    {
        var (certificate, key) = _files.WriteCertificatePair();
        var users = _files.WriteFile("users", "alice:{PLAIN}pw\n");

        var config = TestEnvironment.LoadValid(
            ("SMTP_AUTH_ENABLED", "true"),
            ("SMTP_AUTH_USERS_FILE", users),
            ("TLS_CERT_FILE", certificate),
            ("TLS_KEY_FILE", key));

        Assert.Equal(new SmtpAuthSettings(Enabled: true, UsersFile: users, RequireTls: true), config.Auth);
        var options = new SmtpServerOptions { AuthRequiresTls = false };
        config.ApplyTo(options);
        Assert.True(options.AuthRequiresTls);
    }

    [Fact]
    public void Auth_needs_a_users_file()
    {
        var result = TestEnvironment.Load(("SMTP_AUTH_ENABLED", "true"), ("SMTP_AUTH_REQUIRE_TLS", "false"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("SMTP_AUTH_USERS_FILE", error.Variable);
        Assert.Contains("must be set when SMTP_AUTH_ENABLED is true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auth_requiring_tls_without_a_certificate_is_refused()
    {
        var users = _files.WriteFile("users", "alice:{PLAIN}pw\n");

        var result = TestEnvironment.Load(("SMTP_AUTH_ENABLED", "true"), ("SMTP_AUTH_USERS_FILE", users));

        var error = Assert.Single(result.Errors);
        Assert.Equal("SMTP_AUTH_ENABLED", error.Variable);
        Assert.Contains("TLS_CERT_FILE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_implicit_tls_listener_without_a_certificate_does_not_satisfy_auth()
    {
        var users = _files.WriteFile("users", "alice:{PLAIN}pw\n");

        var result = TestEnvironment.Load(("SMTP_AUTH_ENABLED", "true"), ("SMTP_AUTH_USERS_FILE", users), ("SMTP_LISTENERS", "127.0.0.1:465/tls"));

        Assert.Equal(["SMTP_AUTH_ENABLED", "SMTP_LISTENERS"], TestEnvironment.ErrorVariables(result).Order());
    }

    [Fact]
    public void Auth_without_tls_is_allowed_with_a_warning()
    {
        var users = _files.WriteFile("users", "alice:{PLAIN}pw\n");

        var result = TestEnvironment.Load(("SMTP_AUTH_ENABLED", "true"), ("SMTP_AUTH_USERS_FILE", users), ("SMTP_AUTH_REQUIRE_TLS", "false"));

        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        Assert.False(result.Configuration.Auth.RequireTls);
        Assert.Contains(result.Warnings, w => w.Variable == "SMTP_AUTH_REQUIRE_TLS");
    }

    [Fact]
    public void Every_bad_line_of_the_users_file_is_an_error_naming_the_variable_and_the_line_but_not_the_secret()
    {
        var users = _files.WriteFile("users", "# users\nalice:{SHA1}hunter2\nbob:{PLAIN}pw\nbob:{PLAIN}other\n");

        var result = TestEnvironment.Load(("SMTP_AUTH_ENABLED", "true"), ("SMTP_AUTH_USERS_FILE", users), ("SMTP_AUTH_REQUIRE_TLS", "false"));

        Assert.False(result.IsValid);
        Assert.All(result.Errors, e => Assert.Equal("SMTP_AUTH_USERS_FILE", e.Variable));
        Assert.Collection(
            result.Errors,
            e => Assert.StartsWith($"'{users}' line 2: ", e.Message, StringComparison.Ordinal),
            e => Assert.StartsWith($"'{users}' line 4: ", e.Message, StringComparison.Ordinal));
        Assert.All(result.Errors, e => Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_users_file_without_auth_enabled_is_not_read_and_gives_a_warning()
    {
        var result = TestEnvironment.Load(("SMTP_AUTH_USERS_FILE", "/nonexistent/users"));

        Assert.True(result.IsValid, string.Join(" | ", result.Errors));
        Assert.Contains(result.Warnings, w => w.Variable == "SMTP_AUTH_USERS_FILE");
    }

    [Fact]
    public void Config_check_prints_the_users_file_path_and_never_its_secrets()
    {
        var (certificate, key) = _files.WriteCertificatePair();
        var users = _files.WriteFile("users", "alice:{PLAIN}hunter2\n");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = ConfigCheck.Run(
            TestEnvironment.Of(("SMTP_AUTH_ENABLED", "true"), ("SMTP_AUTH_USERS_FILE", users), ("TLS_CERT_FILE", certificate), ("TLS_KEY_FILE", key)),
            stdout,
            stderr,
            () => TestEnvironment.MachineHostName);

        Assert.Equal(0, exitCode);
        Assert.Contains($"SMTP_AUTH_USERS_FILE={users}\n", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("SMTP_AUTH_REQUIRE_TLS=true  # default", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stdout.ToString(), StringComparison.Ordinal);
    }
}
