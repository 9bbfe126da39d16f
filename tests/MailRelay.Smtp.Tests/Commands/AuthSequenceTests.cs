using MailRelay.Smtp.Session;
using MailRelay.Smtp.Tests.Session;

namespace MailRelay.Smtp.Tests.Commands;

/// <summary>When AUTH is offered and allowed: EHLO, TLS, the transaction, an earlier AUTH, STARTTLS.</summary>
public class AuthSequenceTests
{
    private const string Password = "correct horse";

    [Fact]
    public async Task With_TLS_required_AUTH_is_advertised_only_after_STARTTLS()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var options = TestAuthenticator.Options(new TestAuthenticator(("alice", Password)), requireTls: true);
        options.Certificate = certificate;
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options);

        var clear = await connection.CommandAsync("EHLO client.example");
        await using var tls = await TlsTestClient.StartAsync(connection, certificate);
        var secure = await tls.CommandAsync("EHLO client.example");

        Assert.DoesNotContain(clear.Lines, l => l.Contains("AUTH", StringComparison.Ordinal));
        Assert.Contains(clear.Lines, l => l[4..] == "STARTTLS");
        Assert.Equal("250 AUTH PLAIN LOGIN", secure[^1]);
    }

    [Fact]
    public async Task Without_the_TLS_requirement_AUTH_is_advertised_in_the_clear()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(new TestAuthenticator()));

        var ehlo = await connection.CommandAsync("EHLO client.example");

        Assert.Equal("250 AUTH PLAIN LOGIN", ehlo.Lines[^1]);
    }

    [Fact]
    public async Task Without_an_authenticator_AUTH_is_neither_advertised_nor_accepted()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", AuthRequiresTls = false });

        var ehlo = await connection.CommandAsync("EHLO client.example");
        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.DoesNotContain(ehlo.Lines, l => l.Contains("AUTH", StringComparison.Ordinal));
        Assert.Equal("502 5.5.1 Error: command not implemented", reply.Text);
    }

    [Fact]
    public async Task With_TLS_required_AUTH_in_the_clear_gets_538_and_never_reaches_the_authenticator()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var authenticator = new TestAuthenticator(("alice", Password));
        var options = TestAuthenticator.Options(authenticator, requireTls: true);
        options.Certificate = certificate;
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.Equal("538 5.7.11 Encryption required for requested authentication mechanism", reply.Text);
        Assert.Empty(authenticator.Attempts);
        Assert.Null(connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task With_TLS_required_AUTH_after_STARTTLS_succeeds()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var options = TestAuthenticator.Options(new TestAuthenticator(("alice", Password)), requireTls: true);
        options.Certificate = certificate;
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        await using var tls = await TlsTestClient.StartAsync(connection, certificate);
        Assert.Equal(250, (await tls.CommandAsync("EHLO client.example"))[0].Code());

        var reply = await tls.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.Equal(["235 2.7.0 Authentication successful"], reply);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task A_second_AUTH_gets_503()
    {
        var authenticator = new TestAuthenticator(("alice", Password), ("bob", "bob's"));
        await using var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(authenticator));
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        Assert.Equal(235, (await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password))).Code);

        var again = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "bob", "bob's"));

        Assert.Equal("503 5.5.1 Already authenticated", again.Text);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
        Assert.Single(authenticator.Attempts);
    }

    [Fact]
    public async Task AUTH_inside_a_mail_transaction_gets_503()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(authenticator));
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<a@example.org>")).Code);

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.Equal((503, "5.5.1"), (reply.Code, reply.EnhancedCode));
        Assert.Empty(authenticator.Attempts);
        Assert.Equal(250, (await connection.CommandAsync("RSET")).Code);
        Assert.Equal(235, (await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password))).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("HELO client.example")]
    public async Task AUTH_without_EHLO_gets_503(string? greeting)
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(authenticator));
        if (greeting is not null)
        {
            Assert.Equal(250, (await connection.CommandAsync(greeting)).Code);
        }

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.Equal((503, "5.5.1"), (reply.Code, reply.EnhancedCode));
        Assert.Empty(authenticator.Attempts);
        Assert.Null(connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task STARTTLS_discards_an_authentication_made_in_the_clear()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var authenticator = new TestAuthenticator(("alice", Password));
        var options = TestAuthenticator.Options(authenticator, requireTls: false);
        options.Certificate = certificate;
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        Assert.Equal(235, (await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password))).Code);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);

        await using var tls = await TlsTestClient.StartAsync(connection, certificate);
        Assert.Equal(250, (await tls.CommandAsync("EHLO client.example"))[0].Code());
        Assert.Equal(250, (await tls.CommandAsync("MAIL FROM:<a@example.org>"))[0].Code());

        Assert.Equal([string.Empty], handler.AuthenticatedUsersAtMail);
        Assert.Null(connection.Context.AuthenticatedUser);
        Assert.Equal(250, (await tls.CommandAsync("RSET"))[0].Code());
        Assert.Equal(["235 2.7.0 Authentication successful"], await tls.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password)));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.org> AUTH=<>", 250, "2.1.0")]
    [InlineData("MAIL FROM:<a@example.org> AUTH=a+2Bb@example.org", 250, "2.1.0")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=100 AUTH=<> BODY=8BITMIME", 250, "2.1.0")]
    [InlineData("MAIL FROM:<a@example.org> AUTH=a+zzb@example.org", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> AUTH", 501, "5.5.4")]
    public async Task MAIL_FROM_accepts_a_well_formed_AUTH_parameter_when_AUTH_is_offered(string line, int code, string enhanced)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(new TestAuthenticator()));
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        var reply = await connection.CommandAsync(line);

        Assert.Equal((code, enhanced), (reply.Code, reply.EnhancedCode));
    }

    [Fact]
    public async Task MAIL_FROM_refuses_the_AUTH_parameter_where_EHLO_did_not_offer_AUTH()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(new TestAuthenticator(), requireTls: true));
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        var reply = await connection.CommandAsync("MAIL FROM:<a@example.org> AUTH=<>");

        Assert.Equal(555, reply.Code);
    }
}
