using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>STARTTLS and implicit-TLS listeners with the operator's PEM certificate (TLS_CERT_FILE / TLS_KEY_FILE).</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestDirectory _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private (string Certificate, string Key) WritePemPair()
    {
        _pinned = new AuthCertificate(_certificates);
        return (_pinned.CertificateFile, _pinned.KeyFile);
    }

    private AuthCertificate? _pinned;

    private bool IsOurs(System.Security.Cryptography.X509Certificates.X509Certificate? presented) => _pinned?.IsOurs(presented) == true;

    private static MimeMessage Message()
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse("someone@elsewhere.example"));
        message.Subject = "over tls";
        message.Body = new TextPart("plain") { Text = "secret" };
        return message;
    }

    [Theory]
    [InlineData(0, SecureSocketOptions.StartTls)]
    [InlineData(1, SecureSocketOptions.SslOnConnect)]
    public async Task Message_over_tls_is_accepted_and_traced_as_esmtps(int listener, SecureSocketOptions security)
    {
        var (certificate, key) = WritePemPair();
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_LISTENERS"] = "127.0.0.1:0,127.0.0.1:0/tls",
            ["TLS_CERT_FILE"] = certificate,
            ["TLS_KEY_FILE"] = key,
        });
        var endPoint = relay.SmtpEndPoints[listener];
        using var client = new SmtpClient { CheckCertificateRevocation = false };
        string? presented = null;
        client.ServerCertificateValidationCallback = (_, cert, _, _) =>
        {
            presented = cert?.Subject;
            return IsOurs(cert);
        };

        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, security);
        Assert.True(client.IsSecure);
        await client.SendAsync(Message());
        await client.DisconnectAsync(quit: true);

        Assert.Equal("CN=relay.test.example", presented);
        var stored = Assert.Single(relay.Data.QueuedMessages()).Text;
        Assert.Contains(" with ESMTPS id ", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Implicit_tls_listener_does_not_offer_starttls_again()
    {
        var (certificate, key) = WritePemPair();
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_LISTENERS"] = "127.0.0.1:0/tls",
            ["TLS_CERT_FILE"] = certificate,
            ["TLS_KEY_FILE"] = key,
        });
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, cert, _, _) => IsOurs(cert) };

        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.SslOnConnect);

        Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
        await client.DisconnectAsync(quit: true);
    }
}
