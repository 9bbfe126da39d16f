using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Tests.Queue;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A disk that fails (EIO) on the spool's write path is a temporary failure for the client: 451 4.3.0, the
/// message never acknowledged, nothing of it left or delivered; the next message goes through once the disk
/// works again.
/// </summary>
public class SpoolIoFaultReplyTests
{
    private static MimeMessage Message(string subject, bool large)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse("user@sink.test"));
        message.Subject = subject;
        // Over the spool writer's buffer, a message gets a queue file of its own; under it, a record of a segment file.
        var filler = large ? string.Concat(Enumerable.Repeat(new string('x', 76) + "\r\n", 1000)) : string.Empty;
        message.Body = new TextPart("plain") { Text = subject + "\r\n" + filler };
        return message;
    }

    [Theory]
    [InlineData(DiskOperation.Write, "/queue/incoming/", true)]
    [InlineData(DiskOperation.SyncFile, "/queue/incoming/", true)]
    [InlineData(DiskOperation.Move, "/queue/active/", true)]
    [InlineData(DiskOperation.SyncDirectory, "/queue/active", true)]
    [InlineData(DiskOperation.Write, ".seg", false)]
    [InlineData(DiskOperation.SyncData, "/queue/segments/", false)]
    public async Task An_IO_error_answers_451_leaves_nothing_and_the_next_message_is_delivered(DiskOperation operation, string path, bool large)
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        var disk = new FaultInjectingDiskSync();
        await using var relay = await InProcessRelay.StartAsync(
            new Dictionary<string, string?>
            {
                ["DELIVERY_ROUTES"] = $"{{\"sink.test\":\"127.0.0.1:{sink.EndPoint.Port}\"}}",
                ["DKIM_ENABLED"] = "false",
            },
            disk);
        using var client = new SmtpClient();
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);

        disk.Fail(operation, path);
        var refused = await Record.ExceptionAsync(() => client.SendAsync(Message("refused", large))) as SmtpCommandException;
        Assert.True(refused is not null, $"the message was not refused; the relay's log:\n{relay.Log}");

        Assert.Equal(451, (int)refused.StatusCode);
        Assert.StartsWith("4.3.0", refused.Message, StringComparison.Ordinal);
        Assert.True(disk.Failures > 0);
        Assert.Empty(Directory.GetFiles(Path.Combine(relay.Data.Path, "queue", "incoming")));
        Assert.Empty(Directory.GetFiles(Path.Combine(relay.Data.Path, "queue", "active")));
        if (operation != DiskOperation.SyncData)
        {
            // After a failed fdatasync the record may be on disk or not: a restart could find it (a duplicate of the
            // client's retry, never a loss); this process never delivers it (the sink gets only the next message).
            Assert.Empty(relay.Data.QueuedMessages());
        }

        disk.Clear();
        var reply = await client.SendAsync(Message("accepted", large));
        Assert.Contains("queued as", reply, StringComparison.Ordinal);
        await client.DisconnectAsync(quit: true);

        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, TimeSpan.FromSeconds(60));
        var (_, recipients, content) = Assert.Single(sink.Received);
        Assert.Equal(["user@sink.test"], recipients);
        Assert.Contains("Subject: accepted\r\n", Encoding.Latin1.GetString(content), StringComparison.Ordinal);
    }
}
