using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>A full disk is a temporary failure for the client (451 4.3.0), never a lost or half-written message.</summary>
public class SpoolFailureReplyTests
{
    private static MimeMessage Message(int bodyBytes)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse("someone@elsewhere.example"));
        message.Subject = "disk";
        var line = new string('y', 70) + "\r\n";
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat(line, bodyBytes / line.Length)) };
        return message;
    }

    [Fact]
    public async Task Disk_full_answers_451_and_leaves_nothing_then_recovers()
    {
        using var outer = new TestDirectory();
        using var tmpfs = new TmpfsMount(Path.Combine(outer.Path, "tiny"), "512k");
        var dataDirectory = Path.Combine(tmpfs.Path, "data");
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["DATA_DIR"] = dataDirectory });
        using var client = new SmtpClient();
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message(1024 * 1024)));

        Assert.Equal(451, (int)refused.StatusCode);
        Assert.StartsWith("4.3.0", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "incoming")));
        Assert.Empty(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "active")));

        // The same session goes on, and a message that fits is accepted.
        var reply = await client.SendAsync(Message(4096));
        Assert.Contains("queued as", reply, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "active")));
        await client.DisconnectAsync(quit: true);
    }
}
