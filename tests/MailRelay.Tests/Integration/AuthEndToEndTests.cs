using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// SMTP AUTH through the whole daemon with MailKit as the client: 127.0.0.1 is outside TRUSTED_NETWORKS, so only
/// authentication lets it relay.
/// </summary>
public sealed class AuthEndToEndTests : IDisposable
{
    private const string UserName = "billing-app";
    private const string Password = "app password: 42";

    private readonly TestDirectory _files = new();
    private readonly AuthCertificate _certificate;

    public AuthEndToEndTests()
    {
        _certificate = new AuthCertificate(_files);
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task An_untrusted_client_is_refused_relay_without_auth_and_relays_with_it_recorded_in_the_envelope()
    {
        await using var relay = await StartRelayAsync();

        using (var anonymous = await ConnectAsync(relay, SecureSocketOptions.StartTls))
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => anonymous.SendAsync(Message()));
            Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
            Assert.Equal(554, (int)refused.StatusCode);
            Assert.Contains("Relay access denied", refused.Message, StringComparison.Ordinal);
            await anonymous.DisconnectAsync(quit: true);
        }

        Assert.Empty(relay.Data.QueuedFiles());

        using (var authenticated = await ConnectAsync(relay, SecureSocketOptions.StartTls))
        {
            await authenticated.AuthenticateAsync(UserName, Password);
            await authenticated.SendAsync(Message());
            await authenticated.DisconnectAsync(quit: true);
        }

        var entry = Assert.Single(new QueueReader(relay.Data.Path).ReadCommitted().Entries);
        Assert.Equal(UserName, entry.Envelope.AuthenticatedUser);
        var stored = await File.ReadAllTextAsync(entry.FilePath);
        Assert.Contains(" with ESMTPSA id ", stored, StringComparison.Ordinal);
        Assert.Contains("mailrelay_smtp_auth_total{result=\"success\"} 1", await relay.GetAdminAsync("/metrics"), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_is_offered_only_after_starttls_and_a_wrong_password_is_refused()
    {
        await using var relay = await StartRelayAsync();

        using (var clear = await ConnectAsync(relay, SecureSocketOptions.None))
        {
            Assert.False(clear.Capabilities.HasFlag(SmtpCapabilities.Authentication));
            await clear.DisconnectAsync(quit: true);
        }

        using var secure = await ConnectAsync(relay, SecureSocketOptions.StartTls);
        Assert.Contains("PLAIN", secure.AuthenticationMechanisms);
        Assert.Contains("LOGIN", secure.AuthenticationMechanisms);
        await Assert.ThrowsAsync<AuthenticationException>(() => secure.AuthenticateAsync(UserName, "not the password"));
        // MailKit tries each offered mechanism in turn, so one wrong password may be checked more than once.
        var metrics = await relay.GetAdminAsync("/metrics");
        Assert.Matches("mailrelay_smtp_auth_total\\{result=\"failure\"\\} [1-9]", metrics);
        Assert.DoesNotContain("mailrelay_smtp_auth_total{result=\"success\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password", relay.Log, StringComparison.Ordinal);
        await secure.DisconnectAsync(quit: true);
    }

    private async Task<InProcessRelay> StartRelayAsync()
    {
        var users = Path.Combine(_files.Path, "users");
        await File.WriteAllTextAsync(users, $"# applications\n{UserName}:{{PLAIN}}{Password}\n");
        return await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["TRUSTED_NETWORKS"] = "10.0.0.0/8",
            ["TLS_CERT_FILE"] = _certificate.CertificateFile,
            ["TLS_KEY_FILE"] = _certificate.KeyFile,
            ["SMTP_AUTH_ENABLED"] = "true",
            ["SMTP_AUTH_USERS_FILE"] = users,
        });
    }

    private async Task<SmtpClient> ConnectAsync(InProcessRelay relay, SecureSocketOptions security)
    {
        var client = new SmtpClient
        {
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, presented, _, _) => _certificate.IsOurs(presented),
        };
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, security);
        return client;
    }

    private static MimeMessage Message()
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("billing@ours.example"));
        message.To.Add(MailboxAddress.Parse("customer@elsewhere.example"));
        message.Subject = "invoice";
        message.Body = new TextPart("plain") { Text = "Your invoice." };
        return message;
    }
}
