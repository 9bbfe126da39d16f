using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Tests.Support;
using MailRelay.Tests.Tls;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A certificate renewed in its mounted Secret (as cert-manager does) reaches new STARTTLS and implicit-TLS sessions of
/// the running relay, without a restart.
/// </summary>
public sealed class CertificateRenewalTests
{
    [Theory]
    [InlineData(0, SecureSocketOptions.StartTls)]
    [InlineData(1, SecureSocketOptions.SslOnConnect)]
    public async Task A_renewed_certificate_reaches_new_sessions_without_a_restart(int listener, SecureSocketOptions security)
    {
        using var directory = new TestDirectory();
        var first = new PemCertificate(TimeSpan.FromDays(10));
        var renewed = new PemCertificate(TimeSpan.FromDays(90));
        var secret = new MountedSecret(Path.Combine(directory.Path, "tls"), first.SecretFiles);
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_LISTENERS"] = "127.0.0.1:0,127.0.0.1:0/tls",
            ["TLS_CERT_FILE"] = secret.FileOf("tls.crt"),
            ["TLS_KEY_FILE"] = secret.FileOf("tls.key"),
        });
        Assert.Equal(first.Thumbprint, await PresentedThumbprintAsync(relay, listener, security, first, renewed));

        secret.Update(renewed.SecretFiles);

        // The directory watch picks the change up (the one-minute check is the fallback); /metrics says when.
        var expiry = renewed.NotAfterUnixSeconds.ToString(CultureInfo.InvariantCulture);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await relay.GetAdminAsync("/metrics")).Contains("mailrelay_tls_certificate_expiry_timestamp_seconds " + expiry, StringComparison.Ordinal))
        {
            deadline.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }

        Assert.Equal(renewed.Thumbprint, await PresentedThumbprintAsync(relay, listener, security, first, renewed));
    }

    /// <summary>Connects and returns the thumbprint the relay presented; only the test's own certificates are accepted (pinned).</summary>
    private static async Task<string?> PresentedThumbprintAsync(InProcessRelay relay, int listener, SecureSocketOptions security, params PemCertificate[] ours)
    {
        var endPoint = relay.SmtpEndPoints[listener];
        using var client = new SmtpClient { CheckCertificateRevocation = false };
        string? presented = null;
        client.ServerCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate?.GetCertHashString();
            return ours.Any(c => string.Equals(c.Thumbprint, presented, StringComparison.Ordinal));
        };
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, security);
        Assert.True(client.IsSecure);
        await client.DisconnectAsync(quit: true);
        return presented;
    }
}
