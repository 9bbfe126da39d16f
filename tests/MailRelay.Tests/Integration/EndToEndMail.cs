using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>Hands a message to a relay with MailKit, and waits for the relay's queue to empty.</summary>
internal static class EndToEndMail
{
    public static async Task SubmitAsync(InProcessRelay relay, string sender, string subject, params string[] recipients)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(sender));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "one message, several recipients\r\n" };
        using var client = new SmtpClient();
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>
    /// Every message, DSNs included, is final and its files are gone: nothing more can be sent for it, so the
    /// counts at the next hops are complete.
    /// </summary>
    public static async Task WaitForEmptyQueueAsync(InProcessRelay relay, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        using var watcher = new FileSystemWatcher(relay.Data.ActiveQueue) { EnableRaisingEvents = true };
        using var changed = new SemaphoreSlim(0);
        watcher.Deleted += (_, _) => changed.Release();
        while (relay.Data.QueuedFiles().Length > 0)
        {
            // Also re-checks now and then: a watcher may coalesce or miss events under load.
            await changed.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }
}
