using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class ShutdownTests
{
    [Fact]
    public async Task A_session_waiting_for_a_command_gets_421_on_shutdown()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        connection.RequestShutdown();

        Assert.Equal("421 4.3.2 mx.test Service shutting down", (await connection.ReadReplyAsync()).Text);
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal(SessionOutcome.ServerShutdown, (await connection.Completion).Outcome);
        Assert.Single(handler.Summaries);
    }

    [Fact]
    public async Task A_message_in_DATA_is_finished_and_answered_before_the_421()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);
        await connection.SendAsync("Subject: half\r\n");
        await handler.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));

        connection.RequestShutdown();
        await connection.SendAsync("\r\nrest of it\r\n.\r\nNOOP\r\n");

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Equal((421, "4.3.2"), ((await connection.ReadReplyAsync()).Code, "4.3.2"));
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal("Subject: half\r\n\r\nrest of it\r\n", handler.Completed.Single().Text);
        Assert.Equal(SessionOutcome.ServerShutdown, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task A_BDAT_chunk_in_progress_is_finished_before_the_421()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        await connection.SendAsync("BDAT 10 LAST\r\nhello");
        await handler.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));

        connection.RequestShutdown();
        await connection.SendAsync("world");

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(421, (await connection.ReadReplyAsync()).Code);
        Assert.Equal("helloworld", handler.Completed.Single().Text);
    }

    [Fact]
    public async Task A_client_that_disconnects_ends_the_session_once_and_aborts_its_message()
    {
        var handler = new RecordingSessionHandler();
        var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");
        await connection.SendAsync("partial");

        await connection.DisposeAsync();

        Assert.Equal(SessionOutcome.ClientDisconnected, (await connection.Completion).Outcome);
        Assert.True(handler.Messages.Single().Aborted);
        Assert.Single(handler.Summaries);
    }
}
