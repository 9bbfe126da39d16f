using System.Net;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>The pacing tests' fake provider itself: its hidden budget, its 421, and what it records.</summary>
public sealed class FakeProviderMxTests
{
    private static MimeMessage Message(int i)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse($"user{i}@alpha.test"));
        message.Subject = $"message {i}";
        message.Body = new TextPart("plain") { Text = "body" };
        return message;
    }

    [Fact]
    public async Task Over_its_budget_it_answers_421_4_7_28_closes_and_takes_mail_again_once_the_window_has_passed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var provider = FakeProviderMx.Start([IPAddress.Loopback], 0, messagesPerWindow: 3, TimeSpan.FromSeconds(1), TimeSpan.Zero, time);

        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", provider.Port, SecureSocketOptions.None);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(Message(i));
        }

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message(3)));
        Assert.Equal(SmtpStatusCode.ServiceNotAvailable, refused.StatusCode);
        Assert.Contains("rate limited", refused.Message, StringComparison.Ordinal);
        await provider.WaitUntilAsync(() => provider.Connections.Single().EndedRateLimited, TimeSpan.FromSeconds(10));
        Assert.Throws<ServiceNotConnectedException>(() => client.NoOp());

        // Still inside the window: a new connection is refused as well; once it has slid past, mail is taken again.
        time.Advance(TimeSpan.FromMilliseconds(999));
        using var second = new SmtpClient();
        await second.ConnectAsync("127.0.0.1", provider.Port, SecureSocketOptions.None);
        await Assert.ThrowsAsync<SmtpCommandException>(() => second.SendAsync(Message(4)));
        time.Advance(TimeSpan.FromMilliseconds(1));
        using var third = new SmtpClient();
        await third.ConnectAsync("127.0.0.1", provider.Port, SecureSocketOptions.None);
        await third.SendAsync(Message(5));
        await third.DisconnectAsync(quit: true);

        Assert.Equal(2, provider.RateLimitedReplies);
        Assert.Equal(["user0@alpha.test", "user1@alpha.test", "user2@alpha.test", "user5@alpha.test"], provider.Accepted.SelectMany(m => m.Recipients));
        Assert.Equal([3, 0, 1], provider.Connections.Select(c => c.Accepted));
    }

    [Fact]
    public async Task It_records_the_most_connections_ever_open_at_once()
    {
        await using var provider = FakeProviderMx.Start([IPAddress.Loopback], 0, messagesPerWindow: 100, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeProvider.System);

        var clients = new List<SmtpClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", provider.Port, SecureSocketOptions.None);
            clients.Add(client);
        }

        foreach (var client in clients)
        {
            await client.DisconnectAsync(quit: true);
            client.Dispose();
        }

        using var last = new SmtpClient();
        await last.ConnectAsync("127.0.0.1", provider.Port, SecureSocketOptions.None);
        await last.DisconnectAsync(quit: true);

        Assert.Equal(4, provider.Connections.Count);
        Assert.Equal(3, provider.MaxConcurrentConnections);
    }
}
