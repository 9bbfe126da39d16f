using System.IO.Pipelines;
using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class CommandLineLimitTests
{
    [Theory]
    [InlineData(100 * 1024)]
    [InlineData(10 * 1024 * 1024)]
    public async Task A_huge_line_without_CRLF_is_discarded_as_it_arrives(int length)
    {
        // With a 16 KiB pause threshold the writer can only push all bytes through if the session consumes them.
        var input = new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024);
        await using var connection = await SmtpTestConnection.StartGreetedAsync(inputOptions: input);
        var chunk = Encoding.ASCII.GetBytes(new string('A', 4096));

        for (var sent = 0; sent < length; sent += chunk.Length)
        {
            await connection.SendAsync(chunk).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await connection.SendAsync("\r\n");
        var reply = await connection.ReadReplyAsync();

        Assert.Equal("500 5.5.2 Line too long", reply.Text);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task The_limit_counts_the_CRLF()
    {
        var options = new SmtpServerOptions { HostName = "mx.test", MaxCommandLineLength = 64 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options);

        var fits = await connection.CommandAsync("NOOP " + new string('x', 64 - 7));
        var over = await connection.CommandAsync("NOOP " + new string('x', 64 - 6));
        var fitsWithLf = await connection.SendAndRead("NOOP " + new string('x', 64 - 6) + "\n");

        Assert.Equal((250, 500, 250), (fits.Code, over.Code, fitsWithLf.Code));
    }

    [Fact]
    public async Task Commands_ending_in_a_bare_LF_are_accepted()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();

        await connection.SendAsync("EHLO client.example\nNOOP\n");

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Equal("250 2.0.0 Ok", (await connection.ReadReplyAsync()).Text);
    }

    [Fact]
    public async Task A_line_that_is_not_UTF8_gets_500()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();

        await connection.SendAsync(new byte[] { (byte)'N', 0xC3, 0x28, (byte)'\r', (byte)'\n' });

        Assert.Equal(500, (await connection.ReadReplyAsync()).Code);
    }
}
