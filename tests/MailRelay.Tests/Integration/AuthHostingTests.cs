using System.Net;
using MailRelay.Authentication;
using MailRelay.Smtp.Session;
using Microsoft.Extensions.DependencyInjection;

namespace MailRelay.Tests.Integration;

/// <summary>What the daemon hands the SMTP engine when SMTP_AUTH_ENABLED is set, checked in the running host.</summary>
public sealed class AuthHostingTests : IDisposable
{
    private readonly TestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task An_auth_enabled_daemon_gives_the_engine_the_users_file_authenticator_and_counts_its_checks()
    {
        var certificate = new AuthCertificate(_files);
        var users = Path.Combine(_files.Path, "users");
        await File.WriteAllTextAsync(users, "app:{PLAIN}app-password\n");
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["TLS_CERT_FILE"] = certificate.CertificateFile,
            ["TLS_KEY_FILE"] = certificate.KeyFile,
            ["SMTP_AUTH_ENABLED"] = "true",
            ["SMTP_AUTH_USERS_FILE"] = users,
        });

        var options = relay.Services.GetRequiredService<SmtpServerOptions>();
        Assert.True(options.AuthRequiresTls);
        var authenticator = Assert.IsType<SmtpAuthenticator>(options.Authenticator);
        var session = new SessionContext("test", new IPEndPoint(IPAddress.Loopback, 50000), null);
        Assert.True(await authenticator.AuthenticateAsync(session, "app", "app-password", CancellationToken.None));
        Assert.False(await authenticator.AuthenticateAsync(session, "app", "guess", CancellationToken.None));

        var metrics = await relay.GetAdminAsync("/metrics");
        Assert.Contains("mailrelay_smtp_auth_total{result=\"success\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_auth_total{result=\"failure\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("SMTP AUTH users loaded from", relay.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("app-password", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_smtp_auth_enabled_the_engine_gets_no_authenticator()
    {
        await using var relay = await InProcessRelay.StartAsync();

        Assert.Null(relay.Services.GetRequiredService<SmtpServerOptions>().Authenticator);
    }
}
