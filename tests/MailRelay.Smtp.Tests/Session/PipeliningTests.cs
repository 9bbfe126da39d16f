namespace MailRelay.Smtp.Tests.Session;

public class PipeliningTests
{
    [Fact]
    public async Task A_pipelined_group_gets_all_its_replies_in_one_flush()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        var flushesBefore = connection.ServerOutput.Flushes;

        await connection.SendAsync("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<bad>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n");
        var replies = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add((await connection.ReadReplyAsync()).Code);
        }

        Assert.Equal([250, 250, 501, 250, 354], replies);
        Assert.Equal(flushesBefore + 1, connection.ServerOutput.Flushes);

        await connection.SendAsync("body\r\n.\r\nQUIT\r\n");
        Assert.Equal([250, 221], (await connection.ReadAllRepliesAsync()).Select(r => r.Code));
        Assert.Equal(["b@example.net", "c@example.net"], handler.Completed.Single().RecipientsAtCompletion);
    }

    [Fact]
    public async Task Replies_are_flushed_when_the_session_waits_for_the_rest_of_a_line()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        var flushesBefore = connection.ServerOutput.Flushes;

        await connection.SendAsync("NOOP\r\nNOOP\r\nNO");

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(flushesBefore + 1, connection.ServerOutput.Flushes);
        await connection.SendAsync("OP\r\n");
        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
    }
}
