using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class ProxyHeaderRefusalTests
{
    [Fact]
    public async Task A_PROXY_v1_line_first_is_refused_and_closed()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);

        await connection.SendAsync("PROXY TCP4 203.0.113.7 127.0.0.1 5000 25\r\nEHLO x\r\nMAIL FROM:<a@example.org>\r\n");

        Assert.Equal(["554 5.7.0 PROXY header not accepted"], (await connection.ReadAllRepliesAsync()).Select(r => r.Text));
        Assert.Equal(SessionOutcome.ProxyHeaderRefused, (await connection.Completion).Outcome);
        Assert.Empty(handler.MailFroms);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_PROXY_v2_signature_first_is_refused_and_closed(bool byteByByte)
    {
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C, 203, 0, 113, 7, 127, 0, 0, 1, 0x13, 0x88, 0, 25];
        await using var connection = await SmtpTestConnection.StartGreetedAsync();

        if (byteByByte)
        {
            foreach (var b in header)
            {
                await connection.SendAsync(new[] { b });
            }
        }
        else
        {
            await connection.SendAsync(header);
        }

        Assert.Equal([554], (await connection.ReadAllRepliesAsync()).Select(r => r.Code));
        Assert.Equal(SessionOutcome.ProxyHeaderRefused, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task An_empty_first_line_is_an_ordinary_unknown_command()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();

        await connection.SendAsync("\r\nNOOP\r\n");

        Assert.Equal(500, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
    }
}
