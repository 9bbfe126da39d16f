using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Smtp.Tests.Session;
using MimeKit;

namespace MailRelay.Smtp.Tests.Hosting;

/// <summary>MailKit authenticating after STARTTLS, over real loopback sockets to Kestrel hosting the engine.</summary>
public class KestrelSmtpAuthTests
{
    private const string Password = "correct horse battery staple";

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task MailKit_authenticates_after_STARTTLS_and_the_handler_sees_the_user(string mechanism)
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var authenticator = new TestAuthenticator(("alice@example.org", Password));
        var options = TestAuthenticator.Options(authenticator, requireTls: true);
        options.Certificate = certificate;
        await using var server = await SmtpTestServer.StartAsync(options);
        using var client = Client(certificate);

        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Authentication));
        Assert.Equal(["LOGIN", "PLAIN"], client.AuthenticationMechanisms.Order(StringComparer.Ordinal));
        var credentials = new NetworkCredential("alice@example.org", Password);
        SaslMechanism sasl = mechanism == "PLAIN" ? new SaslMechanismPlain(credentials) : new SaslMechanismLogin(credentials);
        await client.AuthenticateAsync(sasl);
        await client.SendAsync(Message());
        await client.DisconnectAsync(true);
        await server.Handler.FirstSessionEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([("alice@example.org", Password)], authenticator.Attempts);
        Assert.Equal([true], authenticator.TokensCancellable);
        Assert.Equal(["alice@example.org"], server.Handler.AuthenticatedUsersAtMail);
        Assert.Contains("authenticated", Assert.Single(server.Handler.Completed).Text, StringComparison.Ordinal);
        Assert.Equal("alice@example.org", Assert.Single(server.Handler.EndedSessions).AuthenticatedUser);
    }

    [Fact]
    public async Task MailKit_reports_a_wrong_password_as_an_authentication_failure()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var options = TestAuthenticator.Options(new TestAuthenticator(("alice@example.org", Password)), requireTls: true);
        options.Certificate = certificate;
        await using var server = await SmtpTestServer.StartAsync(options);
        using var client = Client(certificate);
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.StartTls);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("alice@example.org", "guess"));

        Assert.Contains("Authentication credentials invalid", refused.Message, StringComparison.Ordinal);
        await client.DisconnectAsync(true);
        await server.Handler.FirstSessionEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(Assert.Single(server.Handler.EndedSessions).AuthenticatedUser);
    }

    private static SmtpClient Client(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => new()
    {
        ServerCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
    };

    private static MimeMessage Message()
    {
        var message = new MimeMessage { Subject = "Authenticated", Body = new TextPart("plain") { Text = "sent authenticated\r\n" } };
        message.From.Add(MailboxAddress.Parse("alice@example.org"));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        return message;
    }
}
