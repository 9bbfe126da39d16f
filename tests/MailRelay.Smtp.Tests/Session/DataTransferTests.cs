using System.Text;
using MailRelay.Smtp.Session;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Smtp.Tests.Session;

public class DataTransferTests
{
    [Fact]
    public async Task A_message_reaches_the_writer_unstuffed_and_the_handler_reply_is_sent()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync("a@example.org", "b@example.net", "c@example.net");

        var start = await connection.CommandAsync("DATA");
        Assert.Equal((354, "2.0.0"), (start.Code, start.EnhancedCode));
        await connection.SendAsync("Subject: test\r\n\r\n..dot line\r\nplain\r\n.\r\n");
        var final = await connection.ReadReplyAsync();

        Assert.Equal("250 2.0.0 Ok: queued as Q1", final.Text);
        var message = Assert.Single(handler.Messages);
        Assert.Equal("Subject: test\r\n\r\n.dot line\r\nplain\r\n", message.Text);
        Assert.True(message.Completed);
        Assert.True(message.Disposed);
        Assert.Equal(["b@example.net", "c@example.net"], message.RecipientsAtCompletion);
        Assert.Equal([message.Content.Length], connection.Events.Accepted.Select(b => (int)b));
        Assert.Equal(503, (await connection.CommandAsync("RCPT TO:<x@example.net>")).Code);
    }

    [Fact]
    public async Task The_commit_time_reported_runs_from_the_final_dot_to_the_reply_and_only_for_accepted_messages()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingSessionHandler { WhileCompleting = () => time.Advance(TimeSpan.FromMilliseconds(37)) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler, time: time);
        await connection.EnvelopeAsync();
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);
        await connection.SendAsync("Subject: one\r\n\r\nbody\r\n");
        time.Advance(TimeSpan.FromSeconds(3));
        await connection.SendAsync(".\r\n");
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);

        // The 3 s before the dot are not part of it; the 37 ms of the commit are.
        Assert.Equal([TimeSpan.FromMilliseconds(37)], connection.Events.CommitTimes);
    }

    [Fact]
    public async Task DATA_followed_by_a_lone_dot_is_an_empty_message_and_does_not_hang()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();

        await connection.SendAsync("DATA\r\n.\r\n");

        Assert.Equal(354, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Empty(Assert.Single(handler.Messages).Content);
    }

    [Fact]
    public async Task Content_over_the_size_limit_is_read_to_the_end_then_refused_with_552()
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", MaxMessageSize = 1000 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");

        await connection.SendAsync(new string('x', 5000) + "\r\nMAIL FROM:<inside@example.org>\r\n.\r\n");
        var reply = await connection.ReadReplyAsync();

        Assert.Equal((552, "5.3.4"), (reply.Code, reply.EnhancedCode));
        var message = Assert.Single(handler.Messages);
        Assert.True(message.Aborted);
        Assert.False(message.Completed);
        Assert.True(message.Content.Length <= 1000);
        Assert.Single(handler.MailFroms);
        Assert.Equal([552], connection.Events.Refused);
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task A_ten_megabyte_message_over_the_limit_streams_through_without_buffering()
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", MaxMessageSize = 64 * 1024 };
        var input = new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024);
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler, inputOptions: input);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");

        var line = Encoding.ASCII.GetBytes(new string('y', 4094) + "\r\n");
        for (var i = 0; i < 10 * 256; i++)
        {
            await connection.SendAsync(line).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await connection.SendAsync(".\r\n");

        Assert.Equal(552, (await connection.ReadReplyAsync()).Code);
        var summary = await SummaryAfterQuit(connection);
        Assert.Equal(10L * 1024 * 1024, summary.BytesReceived);
        Assert.True(handler.Messages.Single().Content.Length <= 64 * 1024);
    }

    [Fact]
    public async Task A_bare_LF_is_refused_with_550_under_Reject_and_the_session_continues()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");

        await connection.SendAsync("line one\nline two\r\n.\r\n");
        var reply = await connection.ReadReplyAsync();

        Assert.Equal((550, "5.5.2"), (reply.Code, reply.EnhancedCode));
        Assert.True(Assert.Single(handler.Messages).Aborted);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<a@example.org>")).Code);
    }

    [Fact]
    public async Task A_bare_LF_is_stored_as_CRLF_under_Normalize_and_a_bare_CR_is_still_refused()
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", BareNewline = BareNewlinePolicy.Normalize };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");
        await connection.SendAsync("one\ntwo\n..three\r\n.\r\n");
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);

        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        await connection.CommandAsync("RCPT TO:<b@example.org>");
        await connection.CommandAsync("DATA");
        await connection.SendAsync("one\rtwo\r\n.\r\n");
        var refused = await connection.ReadReplyAsync();

        Assert.Equal("one\r\ntwo\r\n.three\r\n", handler.Messages.First().Text);
        Assert.Equal((550, "5.5.2"), (refused.Code, refused.EnhancedCode));
    }

    [Fact]
    public async Task Too_many_recipients_get_452_and_the_accepted_ones_still_receive_the_message()
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", MaxRecipients = 2 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        await connection.EnvelopeAsync("a@example.org", "r1@example.net", "r2@example.net");

        var third = await connection.CommandAsync("RCPT TO:<r3@example.net>");
        Assert.Equal((452, "4.5.3"), (third.Code, third.EnhancedCode));
        await connection.CommandAsync("DATA");
        await connection.SendAsync("x\r\n.\r\n");
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        await connection.CommandAsync("QUIT");

        Assert.Equal(["r1@example.net", "r2@example.net"], handler.Messages.Single().RecipientsAtCompletion);
        var summary = await connection.Completion;
        Assert.Equal((2, 1, 1), (summary.RecipientsAccepted, summary.RecipientsRefused, summary.MessagesAccepted));
    }

    private static async Task<SessionSummary> SummaryAfterQuit(SmtpTestConnection connection)
    {
        await connection.CommandAsync("QUIT");
        return await connection.Completion;
    }
}
