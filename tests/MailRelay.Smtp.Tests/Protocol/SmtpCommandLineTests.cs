using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Tests.Session;

namespace MailRelay.Smtp.Tests.Protocol;

public class SmtpCommandLineTests
{
    [Theory]
    [InlineData("mail FROM:<a@example.com>", "MAIL")]
    [InlineData("Rcpt TO:<a@example.com>", "RCPT")]
    [InlineData("ma\u0131l FROM:<a@example.com>", "MA\u0131L")]
    [InlineData("\u017Ftarttls", "\u017FTARTTLS")]
    [InlineData("\u03BCail", "\u03BCAIL")]
    public void Only_ASCII_letters_of_the_verb_are_upper_cased(string line, string verb)
    {
        Assert.Equal(verb, SmtpCommandLine.Parse(line).Verb);
    }

    [Theory]
    [InlineData("ma\u0131l FROM:<a@example.com>")]
    [InlineData("\u017Ftarttls")]
    public async Task A_verb_spelled_with_non_ASCII_look_alikes_is_an_unknown_command(string line)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        await connection.CommandAsync("EHLO client.example");

        var reply = await connection.CommandAsync(line);

        Assert.Equal(500, reply.Code);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<a@example.com>")).Code);
    }
}
