using MailRelay.Smtp.Session;
using MailRelay.Smtp.Tests.Session;

namespace MailRelay.Smtp.Tests.Commands;

/// <summary>The SASL exchanges of AUTH PLAIN and LOGIN, in the clear (AuthRequiresTls = false) to keep them readable.</summary>
public class AuthExchangeTests
{
    private const string Password = "correct horse";

    [Fact]
    public async Task PLAIN_with_an_initial_response_authenticates_the_user_the_handler_then_sees()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        var handler = new RecordingSessionHandler();
        await using var connection = await GreetedAsync(authenticator, handler);

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.Equal("235 2.7.0 Authentication successful", reply.Text);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
        Assert.Equal([("alice", Password)], authenticator.Attempts);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<alice@example.org>")).Code);
        Assert.Equal(["alice"], handler.AuthenticatedUsersAtMail);
    }

    [Fact]
    public async Task PLAIN_without_an_initial_response_sends_an_empty_challenge_first()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await GreetedAsync(authenticator);

        var challenge = await connection.CommandAsync("AUTH PLAIN");
        var reply = await connection.CommandAsync(SaslText.Plain("", "alice", Password));

        Assert.Equal(["334 "], challenge.Lines);
        Assert.Equal((235, "2.7.0"), (reply.Code, reply.EnhancedCode));
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task PLAIN_accepts_an_authorization_identity_equal_to_the_user()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await GreetedAsync(authenticator);

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("alice", "alice", Password));

        Assert.Equal(235, reply.Code);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task PLAIN_refuses_to_act_as_another_identity_even_with_the_right_password()
    {
        var authenticator = new TestAuthenticator(("alice", Password), ("bob", "bob's"));
        await using var connection = await GreetedAsync(authenticator);

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("bob", "alice", Password));

        Assert.Equal("535 5.7.8 Authentication credentials invalid", reply.Text);
        Assert.Null(connection.Context.AuthenticatedUser);
        Assert.Empty(authenticator.Attempts);
    }

    [Fact]
    public async Task LOGIN_prompts_for_the_user_name_then_the_password()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await GreetedAsync(authenticator);

        var userPrompt = await connection.CommandAsync("AUTH LOGIN");
        var passwordPrompt = await connection.CommandAsync(SaslText.Base64("alice"));
        var reply = await connection.CommandAsync(SaslText.Base64(Password));

        Assert.Equal(["334 VXNlcm5hbWU6"], userPrompt.Lines);
        Assert.Equal(["334 UGFzc3dvcmQ6"], passwordPrompt.Lines);
        Assert.Equal("235 2.7.0 Authentication successful", reply.Text);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
        Assert.Equal([("alice", Password)], authenticator.Attempts);
    }

    [Fact]
    public async Task LOGIN_takes_an_initial_response_as_the_user_name()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await GreetedAsync(authenticator);

        var passwordPrompt = await connection.CommandAsync("AUTH login " + SaslText.Base64("alice"));
        var reply = await connection.CommandAsync(SaslText.Base64(Password));

        Assert.Equal(["334 UGFzc3dvcmQ6"], passwordPrompt.Lines);
        Assert.Equal(235, reply.Code);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_535()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await GreetedAsync(authenticator);

        var wrongPassword = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", "guess"));
        var unknownUser = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "mallory", Password));

        Assert.Equal("535 5.7.8 Authentication credentials invalid", wrongPassword.Text);
        Assert.Equal(wrongPassword.Text, unknownUser.Text);
        Assert.Null(connection.Context.AuthenticatedUser);
        Assert.Equal([("alice", "guess"), ("mallory", Password)], authenticator.Attempts);
    }

    [Fact]
    public async Task Failed_authentications_count_toward_the_error_limit_and_end_the_session_with_421()
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        var options = TestAuthenticator.Options(authenticator);
        options.MaxConsecutiveErrors = 2;
        await using var connection = await GreetedAsync(options);

        Assert.Equal(535, (await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", "one"))).Code);
        Assert.Equal(334, (await connection.CommandAsync("AUTH LOGIN")).Code);
        Assert.Equal(334, (await connection.CommandAsync(SaslText.Base64("alice"))).Code);
        Assert.Equal(535, (await connection.CommandAsync(SaslText.Base64("two"))).Code);
        var closing = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", "three"));

        Assert.Equal("421 4.7.0 mx.test Error: too many errors", closing.Text);
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal(SessionOutcome.TooManyErrors, (await connection.Completion).Outcome);
        Assert.Null(connection.Context.AuthenticatedUser);
    }

    [Theory]
    [InlineData("AUTH PLAIN", new string[0])]
    [InlineData("AUTH PLAIN *", null)]
    [InlineData("AUTH LOGIN", new string[0])]
    [InlineData("AUTH LOGIN", new[] { "YWxpY2U=" })]
    public async Task A_star_cancels_the_exchange_and_the_session_goes_on(string command, string[]? responsesBeforeCancel)
    {
        var authenticator = new TestAuthenticator(("alice", Password));
        await using var connection = await GreetedAsync(authenticator);

        var reply = await connection.CommandAsync(command);
        if (responsesBeforeCancel is not null)
        {
            foreach (var response in responsesBeforeCancel)
            {
                Assert.Equal(334, reply.Code);
                reply = await connection.CommandAsync(response);
            }

            Assert.Equal(334, reply.Code);
            reply = await connection.CommandAsync("*");
        }

        Assert.Equal("501 5.7.0 Authentication cancelled", reply.Text);
        Assert.Empty(authenticator.Attempts);
        Assert.Null(connection.Context.AuthenticatedUser);
        Assert.Equal(235, (await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password))).Code);
    }

    [Theory]
    [InlineData("AUTH PLAIN not*base64")]
    [InlineData("AUTH PLAIN AGFsaWNl")]
    [InlineData("AUTH PLAIN AAA=")]
    [InlineData("AUTH PLAIN AABzZWNyZXQ=")]
    [InlineData("AUTH PLAIN AGFsaWNlAA==")]
    [InlineData("AUTH PLAIN =")]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA")]
    [InlineData("AUTH PLAIN AP9hbGljZQBzZWNyZXQ=")]
    [InlineData("AUTH LOGIN =")]
    [InlineData("AUTH LOGIN YWxp\tY2U=")]
    public async Task Undecodable_or_malformed_initial_responses_get_501_5_5_2(string command)
    {
        var authenticator = new TestAuthenticator(("alice", "secret"));
        await using var connection = await GreetedAsync(authenticator);

        var reply = await connection.CommandAsync(command);

        Assert.Equal((501, "5.5.2"), (reply.Code, reply.EnhancedCode));
        Assert.Empty(authenticator.Attempts);
        Assert.Null(connection.Context.AuthenticatedUser);
    }

    [Theory]
    [InlineData("PLAIN", "@@@@")]
    [InlineData("PLAIN", "")]
    [InlineData("LOGIN", "YWxpY2U")]
    [InlineData("LOGIN", "")]
    public async Task Undecodable_or_empty_responses_to_a_challenge_get_501_5_5_2(string mechanism, string response)
    {
        var authenticator = new TestAuthenticator(("alice", "secret"));
        await using var connection = await GreetedAsync(authenticator);
        Assert.Equal(334, (await connection.CommandAsync("AUTH " + mechanism)).Code);

        var reply = await connection.CommandAsync(response);

        Assert.Equal((501, "5.5.2"), (reply.Code, reply.EnhancedCode));
        Assert.Empty(authenticator.Attempts);
    }

    [Fact]
    public async Task A_response_longer_than_a_command_line_gets_500_like_a_command()
    {
        var authenticator = new TestAuthenticator(("alice", "secret"));
        var options = TestAuthenticator.Options(authenticator);
        options.MaxCommandLineLength = 100;
        await using var connection = await GreetedAsync(options);
        Assert.Equal(334, (await connection.CommandAsync("AUTH PLAIN")).Code);

        var reply = await connection.CommandAsync(new string('A', 400));

        Assert.Equal((500, "5.5.2"), (reply.Code, reply.EnhancedCode));
        Assert.Empty(authenticator.Attempts);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    [Theory]
    [InlineData("AUTH", 501, "5.5.4")]
    [InlineData("AUTH ", 501, "5.5.4")]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA== extra", 501, "5.5.4")]
    [InlineData("AUTH CRAM-MD5", 504, "5.5.4")]
    [InlineData("AUTH XOAUTH2 dXNlcj1hbGljZQ==", 504, "5.5.4")]
    public async Task AUTH_arguments_get_the_exact_codes(string command, int code, string enhanced)
    {
        var authenticator = new TestAuthenticator(("alice", "secret"));
        await using var connection = await GreetedAsync(authenticator);

        var reply = await connection.CommandAsync(command);

        Assert.Equal((code, enhanced), (reply.Code, reply.EnhancedCode));
        Assert.Empty(authenticator.Attempts);
    }

    [Fact]
    public async Task An_authenticator_that_fails_gets_454_and_the_session_goes_on()
    {
        var authenticator = new TestAuthenticator(("alice", Password)) { Failure = new InvalidOperationException("user store unreachable") };
        await using var connection = await GreetedAsync(authenticator);

        var reply = await connection.CommandAsync("AUTH PLAIN " + SaslText.Plain("", "alice", Password));

        Assert.Equal("454 4.7.0 Temporary authentication failure", reply.Text);
        Assert.Null(connection.Context.AuthenticatedUser);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    private static Task<SmtpTestConnection> GreetedAsync(TestAuthenticator authenticator, RecordingSessionHandler? handler = null) =>
        GreetedAsync(TestAuthenticator.Options(authenticator), handler);

    private static async Task<SmtpTestConnection> GreetedAsync(SmtpServerOptions options, RecordingSessionHandler? handler = null)
    {
        var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        return connection;
    }
}
