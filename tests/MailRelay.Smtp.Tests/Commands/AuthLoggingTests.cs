using MailRelay.Smtp.Tests.Proxy;
using MailRelay.Smtp.Tests.Session;

namespace MailRelay.Smtp.Tests.Commands;

public class AuthLoggingTests
{
    private const string PlainPassword = "Plain-pa55word!";
    private const string LoginPassword = "Login-pa55word!";
    private const string WrongPassword = "Wrong-pa55word!";

    [Fact]
    public async Task Passwords_sent_with_AUTH_never_reach_the_log_in_any_form()
    {
        var logger = new RecordingLogger();
        var authenticator = new TestAuthenticator(("alice", PlainPassword), ("bob", LoginPassword));
        var plainResponse = SaslText.Plain("", "alice", PlainPassword);
        var wrongResponse = SaslText.Plain("", "alice", WrongPassword);
        await using (var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(authenticator), logger: logger))
        {
            Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
            Assert.Equal(535, (await connection.CommandAsync("AUTH PLAIN " + wrongResponse)).Code);
            Assert.Equal(334, (await connection.CommandAsync("AUTH PLAIN")).Code);
            Assert.Equal(501, (await connection.CommandAsync(SaslText.Base64(PlainPassword) + "!")).Code);
            Assert.Equal(235, (await connection.CommandAsync("AUTH PLAIN " + plainResponse)).Code);
            Assert.Equal(221, (await connection.CommandAsync("QUIT")).Code);
            await connection.Completion;
        }

        await using (var connection = await SmtpTestConnection.StartGreetedAsync(TestAuthenticator.Options(authenticator), logger: logger))
        {
            Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
            Assert.Equal(334, (await connection.CommandAsync("AUTH LOGIN " + SaslText.Base64("bob"))).Code);
            Assert.Equal(235, (await connection.CommandAsync(SaslText.Base64(LoginPassword))).Code);
            Assert.Equal(221, (await connection.CommandAsync("QUIT")).Code);
            await connection.Completion;
        }

        var messages = logger.Events.Select(e => e.Message).ToList();
        // The log did record the exchanges, so the absence below is not that of an empty log.
        Assert.Contains(messages, m => m.Contains("AUTH answered 535", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("AUTH PLAIN failed", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("AUTH PLAIN succeeded for alice", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("AUTH LOGIN succeeded for bob", StringComparison.Ordinal));
        string[] secrets =
        [
            PlainPassword, LoginPassword, WrongPassword, plainResponse, wrongResponse,
            SaslText.Base64(PlainPassword), SaslText.Base64(LoginPassword), SaslText.Base64(WrongPassword),
        ];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(messages, m => m.Contains(secret, StringComparison.Ordinal));
        }
    }
}
