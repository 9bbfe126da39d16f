using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class BdatTests
{
    [Fact]
    public async Task Chunks_are_joined_without_dot_processing()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();

        var first = await connection.SendAndRead("BDAT 8\r\n.\r\n..x\r\n");
        var second = await connection.SendAndRead("BDAT 8 LAST\r\nMAIL\r\n\r\n");

        Assert.Equal("250 2.0.0 8 octets received", first.Text);
        Assert.Equal("250 2.0.0 Ok: queued as Q1", second.Text);
        Assert.Equal(".\r\n..x\r\nMAIL\r\n\r\n", handler.Completed.Single().Text);
        Assert.Single(handler.MailFroms);
    }

    [Fact]
    public async Task BDAT_0_LAST_ends_a_message_and_an_empty_message()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        Assert.Equal(250, (await connection.SendAndRead("BDAT 4\r\nab\r\n")).Code);
        Assert.Equal(250, (await connection.CommandAsync("BDAT 0 LAST")).Code);
        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        await connection.CommandAsync("RCPT TO:<b@example.org>");

        Assert.Equal(250, (await connection.CommandAsync("BDAT 0 LAST")).Code);

        Assert.Equal(["ab\r\n", string.Empty], handler.Completed.Select(m => m.Text));
    }

    [Fact]
    public async Task BDAT_without_any_RCPT_consumes_its_chunk_then_gets_503()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.CommandAsync("EHLO client.example");
        Assert.Equal(503, (await connection.SendAndRead("BDAT 28\r\nMAIL FROM:<x@example.org>\r\nQ")).Code);
        await connection.CommandAsync("MAIL FROM:<a@example.org>");

        var reply = await connection.SendAndRead("BDAT 6 LAST\r\nQUIT\r\n");

        Assert.Equal((503, "5.5.1"), (reply.Code, reply.EnhancedCode));
        Assert.Single(handler.MailFroms);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task BDAT_when_every_recipient_was_refused_consumes_its_chunk_then_gets_554()
    {
        var handler = new RecordingSessionHandler { RecipientPolicy = _ => new MailRelay.Smtp.Protocol.SmtpReply(550, "5.1.1", "No such user") };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.CommandAsync("EHLO client.example");
        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        await connection.CommandAsync("RCPT TO:<b@example.org>");

        var reply = await connection.SendAndRead("BDAT 6 LAST\r\nQUIT\r\n");

        Assert.Equal((554, "5.5.1"), (reply.Code, reply.EnhancedCode));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        Assert.Empty(handler.Messages);
    }

    [Fact]
    public async Task DATA_after_BDAT_in_one_transaction_gets_503()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        await connection.SendAndRead("BDAT 3\r\nabc");

        var data = await connection.CommandAsync("DATA");
        var last = await connection.SendAndRead("BDAT 3 LAST\r\ndef");

        Assert.Equal((503, "5.5.1"), (data.Code, data.EnhancedCode));
        Assert.Equal(250, last.Code);
        Assert.Equal("abcdef", handler.Completed.Single().Text);
    }

    [Fact]
    public async Task RSET_between_chunks_aborts_the_message()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        await connection.SendAndRead("BDAT 3\r\nabc");

        Assert.Equal(250, (await connection.CommandAsync("RSET")).Code);

        var message = handler.Messages.Single();
        Assert.True(message.Aborted && message.Disposed);
        Assert.Equal(503, (await connection.SendAndRead("BDAT 1 LAST\r\nx")).Code);
    }

    [Fact]
    public async Task Chunks_over_the_size_limit_are_read_and_refused_with_552_at_LAST()
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", MaxMessageSize = 10 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        await connection.EnvelopeAsync();

        Assert.Equal(250, (await connection.SendAndRead("BDAT 8\r\n12345678")).Code);
        var last = await connection.SendAndRead("BDAT 8 LAST\r\n12345678");

        Assert.Equal((552, "5.3.4"), (last.Code, last.EnhancedCode));
        Assert.True(handler.Messages.Single().Aborted);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    [Theory]
    [InlineData(BareNewlinePolicy.Reject, "a\nb\r\n", 550, null)]
    [InlineData(BareNewlinePolicy.Normalize, "a\nb\r\n", 250, "a\r\nb\r\n")]
    [InlineData(BareNewlinePolicy.Normalize, "a\rb\r\n", 550, null)]
    public async Task Bare_line_ends_in_chunks_follow_the_policy(BareNewlinePolicy policy, string content, int code, string? stored)
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", BareNewline = policy }, handler);
        await connection.EnvelopeAsync();

        var reply = await connection.SendAndRead($"BDAT {content.Length} LAST\r\n{content}");

        Assert.Equal(code, reply.Code);
        Assert.Equal(stored, handler.Completed.SingleOrDefault()?.Text);
    }

    [Fact]
    public async Task A_CR_at_the_end_of_one_chunk_and_LF_at_the_start_of_the_next_is_a_line_end()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();

        await connection.SendAndRead("BDAT 2\r\na\r");
        var reply = await connection.SendAndRead("BDAT 2 LAST\r\n\nb");

        Assert.Equal(250, reply.Code);
        Assert.Equal("a\r\nb", handler.Completed.Single().Text);
    }

    [Theory]
    [InlineData("BDAT")]
    [InlineData("BDAT x")]
    [InlineData("BDAT 5 FIRST")]
    [InlineData("BDAT -1 LAST")]
    public async Task Malformed_BDAT_gets_501(string line)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        await connection.EnvelopeAsync();

        var reply = await connection.CommandAsync(line);

        Assert.Equal((501, "5.5.4"), (reply.Code, reply.EnhancedCode));
    }
}
