using System.IO.Pipelines;
using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class StreamingTests
{
    [Fact]
    public async Task A_one_megabyte_text_line_in_DATA_is_accepted_and_streamed_in_pieces()
    {
        var handler = new RecordingSessionHandler();
        var input = new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024);
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler, inputOptions: input);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");
        var line = new string('L', 1024 * 1024);

        var bytes = Encoding.ASCII.GetBytes("Subject: long\r\n\r\n" + line + "\r\n.\r\n");
        for (var offset = 0; offset < bytes.Length; offset += 3000)
        {
            await connection.SendAsync(bytes.AsMemory(offset, Math.Min(3000, bytes.Length - offset))).WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        var message = handler.Completed.Single();
        Assert.Equal("Subject: long\r\n\r\n" + line + "\r\n", message.Text);
        Assert.True(message.Writes > 16);
        Assert.True(message.LargestWrite <= 16 * 1024, $"largest write {message.LargestWrite}");
    }

    [Fact]
    public async Task A_handler_failure_gets_421_and_still_one_summary()
    {
        var handler = new RecordingSessionHandler { OpenFailure = new IOException("disk gone") };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.EnvelopeAsync();

        var reply = await connection.CommandAsync("DATA");

        Assert.Equal((421, "4.3.0"), (reply.Code, reply.EnhancedCode));
        Assert.Equal(SessionOutcome.Error, (await connection.Completion).Outcome);
        Assert.Single(handler.Summaries);
    }
}
