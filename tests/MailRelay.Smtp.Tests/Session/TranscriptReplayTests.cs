using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>One recorded client transcript, delivered whole, line by line and byte by byte: same replies, same mail.</summary>
public class TranscriptReplayTests
{
    private const string Transcript =
        "EHLO client.example\r\n" +
        "MAIL FROM:<a@example.org> BODY=8BITMIME SIZE=100\r\n" +
        "RCPT TO:<b@example.net>\r\n" +
        "RCPT TO:<bad address>\r\n" +
        "RCPT TO:<c@example.net> NOTIFY=FAILURE\r\n" +
        "DATA\r\n" +
        "Subject: first\r\n\r\n..stuffed\r\nlast line\r\n.\r\n" +
        "NOOP\r\n" +
        "VRFY someone\r\n" +
        "FOO bar\n" +
        "MAIL FROM:<>\r\n" +
        "RCPT TO:<postmaster>\r\n" +
        "BDAT 10\r\nchunk one\n" +
        "BDAT 12 LAST\r\n.chunk two\r\n" +
        "RSET\r\n" +
        "MAIL FROM:<d@example.org>\r\n" +
        "RCPT TO:<e@example.net>\r\n" +
        "DATA\r\n" +
        ".\r\n" +
        "QUIT\r\n";

    private static readonly int[] ExpectedCodes = [220, 250, 250, 250, 501, 250, 354, 250, 250, 252, 500, 250, 250, 250, 250, 250, 250, 250, 354, 250, 221];

    public static TheoryData<string> Deliveries => new() { "whole", "lines", "bytes" };

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task The_transcript_gives_the_same_replies_and_messages_however_it_is_delivered(string delivery)
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", BareNewline = BareNewlinePolicy.Normalize };
        await using var connection = SmtpTestConnection.Start(options, handler);
        var bytes = Encoding.ASCII.GetBytes(Transcript);
        var reading = connection.ReadAllRepliesAsync();

        foreach (var piece in Split(bytes, delivery))
        {
            await connection.SendAsync(piece);
        }

        var replies = await reading;
        Assert.Equal(ExpectedCodes, replies.Select(r => r.Code));
        Assert.Equal(
            ["Subject: first\r\n\r\n.stuffed\r\nlast line\r\n", "chunk one\r\n.chunk two\r\n", string.Empty],
            handler.Completed.Select(m => m.Text));
        Assert.Equal(["b@example.net", "c@example.net"], handler.Completed.First().RecipientsAtCompletion);
        var summary = await connection.Completion;
        Assert.Equal((SessionOutcome.Quit, 3, 18), (summary.Outcome, summary.MessagesAccepted, summary.Commands));
    }

    private static IEnumerable<byte[]> Split(byte[] bytes, string delivery)
    {
        switch (delivery)
        {
            case "whole":
                yield return bytes;
                break;
            case "bytes":
                foreach (var b in bytes)
                {
                    yield return [b];
                }

                break;
            default:
                var start = 0;
                for (var i = 0; i < bytes.Length; i++)
                {
                    if (bytes[i] == '\n')
                    {
                        yield return bytes[start..(i + 1)];
                        start = i + 1;
                    }
                }

                if (start < bytes.Length)
                {
                    yield return bytes[start..];
                }

                break;
        }
    }
}
