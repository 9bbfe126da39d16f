using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class ErrorLimitTests
{
    [Fact]
    public async Task More_failed_commands_in_a_row_than_allowed_close_with_421()
    {
        var options = new SmtpServerOptions { HostName = "mx.test", MaxConsecutiveErrors = 3 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options);

        Assert.Equal(500, (await connection.CommandAsync("FOO")).Code);
        Assert.Equal(503, (await connection.CommandAsync("DATA")).Code);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        Assert.Equal(500, (await connection.CommandAsync("FOO")).Code);
        Assert.Equal(500, (await connection.CommandAsync("FOO")).Code);
        Assert.Equal(502, (await connection.CommandAsync("EXPN x")).Code);
        var closing = await connection.CommandAsync("FOO");

        Assert.Equal("421 4.7.0 mx.test Error: too many errors", closing.Text);
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal(SessionOutcome.TooManyErrors, (await connection.Completion).Outcome);
    }
}
