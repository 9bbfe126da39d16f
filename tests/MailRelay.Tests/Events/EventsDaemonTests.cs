using System.Collections.Concurrent;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Events;
using MailRelay.Tests.Delivery.Transport;
using MailRelay.Tests.Integration;
using MimeKit;

namespace MailRelay.Tests.Events;

/// <summary>
/// The published daemon against a real SMTP next hop on loopback: the outbox in DATA_DIR/events holds exactly the
/// events of a mixed run, with the Message-ID and client id of each message, and a kill -9 loses none of them.
/// </summary>
public sealed class EventsDaemonTests
{
    private const string Sender = "app@ours.example";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_mixed_run_leaves_exactly_its_events_in_the_outbox()
    {
        using var data = new TestDirectory();
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address => (address, seen.AddOrUpdate(address, 1, (_, n) => n + 1)) switch
            {
                ("gone@dest.test", _) => "550 5.1.1 No such user here",
                ("later@dest.test", 1) => "451 4.3.0 Try again later",
                ("stuck@dest.test", _) => "451 4.7.1 Greylisted",
                _ => "250 2.1.5 Ok",
            },
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        await using var daemon = await DaemonProcess.StartAsync(Environment(data, destination, senderHost, queueLifetime: "8s"));

        await SubmitAsync(daemon, "mixed-1@app.example", "order-1", "ok@dest.test", "later@dest.test", "gone@dest.test");
        await SubmitAsync(daemon, "stuck-1@app.example", "order-2", "stuck@dest.test");
        await WaitUntilAsync(() => data.QueuedFiles().Length == 0 && senderHost.Messages.Count == 2);

        var events = ReadOutbox(data.Path).Select(l => l.Event).ToList();
        var mixed = events.Where(e => e.MessageId == "mixed-1@app.example").ToList();
        Assert.Equal(
            ["bounced gone@dest.test 1 5.1.1", "deferred later@dest.test 1 4.3.0", "delivered later@dest.test 2 2.0.0", "delivered ok@dest.test 1 2.0.0"],
            mixed.Select(e => $"{e.Type} {e.Recipient} {e.Attempt} {e.DsnStatus}").Order(StringComparer.Ordinal));
        Assert.All(mixed, e => Assert.Equal("order-1", e.ClientId));
        Assert.Equal("550 5.1.1 No such user here", mixed.Single(e => e.Type == "bounced").RemoteReply);

        var stuck = events.Where(e => e.MessageId == "stuck-1@app.example").ToList();
        Assert.All(stuck, e => Assert.Equal("order-2", e.ClientId));
        Assert.Equal("expired", stuck[^1].Type);
        Assert.Equal("4.4.7", stuck[^1].DsnStatus);
        Assert.All(stuck[..^1], e => Assert.Equal("deferred", e.Type));
        Assert.Equal(Enumerable.Range(1, stuck.Count), stuck.Select(e => e.Attempt!.Value));

        // The two DSNs (the bounce and the expiry) are messages of their own: one delivered event each.
        var dsns = events.Where(e => e.Sender == string.Empty).ToList();
        Assert.Equal(2, dsns.Count);
        Assert.All(dsns, e => Assert.Equal(("delivered", Sender), (e.Type, e.Recipient)));
        Assert.Equal(mixed.Count + stuck.Count + dsns.Count, events.Count);
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_kill_9_loses_no_event_and_an_outcome_told_twice_keeps_its_id()
    {
        using var data = new TestDirectory();
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address => (address, seen.AddOrUpdate(address, 1, (_, n) => n + 1)) switch
            {
                ("later@dest.test", 1) => "451 4.3.0 Try again later",
                _ => "250 2.1.5 Ok",
            },
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var environment = Environment(data, destination, senderHost, queueLifetime: "1h", retry: "3s");
        var first = await DaemonProcess.StartAsync(environment);
        await SubmitAsync(first, "kill-1@app.example", "order-9", "first@dest.test", "later@dest.test");
        await WaitUntilAsync(() => ReadOutbox(data.Path).Any(l => l.Event.Type == "deferred"));
        first.Kill();
        await first.WaitForExitAsync(Limit);
        await first.DisposeAsync();
        var before = ReadOutbox(data.Path);

        await using var second = await DaemonProcess.StartAsync(environment);
        await WaitUntilAsync(() => data.QueuedFiles().Length == 0);
        var after = ReadOutbox(data.Path);

        Assert.Equal(before.Select(l => l.Line), after.Take(before.Count).Select(l => l.Line));
        var events = after.Select(l => l.Event).ToList();
        Assert.Equal(
            ["deferred later@dest.test 1", "delivered first@dest.test 1", "delivered later@dest.test 2"],
            events.Select(e => $"{e.Type} {e.Recipient} {e.Attempt}").Distinct().Order(StringComparer.Ordinal));
        foreach (var told in events.GroupBy(e => (e.Type, e.Recipient, e.Attempt)))
        {
            Assert.Single(told.Select(e => e.Id).Distinct());
        }

        Assert.All(events, e => Assert.Equal(("kill-1@app.example", "order-9"), (e.MessageId, e.ClientId)));
    }

    private static Dictionary<string, string> Environment(TestDirectory data, FakeSmtpServer destination, FakeSmtpServer senderHost, string queueLifetime, string retry = "1s") => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "none",
        ["DATA_DIR"] = data.Path,
        ["DELIVERY_ROUTES"] = $"{{\"dest.test\":\"127.0.0.1:{destination.EndPoint.Port}\",\"ours.example\":\"127.0.0.1:{senderHost.EndPoint.Port}\"}}",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["RETRY_SCHEDULE"] = retry,
        ["QUEUE_LIFETIME"] = queueLifetime,
        ["DKIM_ENABLED"] = "false",
    };

    private static async Task SubmitAsync(DaemonProcess daemon, string messageId, string clientId, params string[] recipients)
    {
        var message = new MimeMessage { MessageId = messageId, Subject = "events" };
        message.From.Add(MailboxAddress.Parse(Sender));
        message.To.AddRange(recipients.Select(MailboxAddress.Parse));
        message.Headers.Add("X-Message-ID", clientId);
        message.Body = new TextPart("plain") { Text = "events\r\n" };
        using var client = new SmtpClient();
        await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>Every complete line of the outbox's segments, in order, with its event.</summary>
    private static List<(string Line, RelayEvent Event)> ReadOutbox(string dataDirectory)
    {
        var lines = new List<(string, RelayEvent)>();
        var directory = Path.Combine(dataDirectory, "events");
        if (!Directory.Exists(directory))
        {
            return lines;
        }

        foreach (var segment in Directory.GetFiles(directory, "segment-*.jsonl").Order(StringComparer.Ordinal))
        {
            using var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(file, Encoding.UTF8);
            var text = reader.ReadToEnd();
            foreach (var line in text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parsed = RelayEventJson.Parse(Encoding.UTF8.GetBytes(line));
                Assert.NotNull(parsed);
                lines.Add((line, parsed.Value.Event));
            }
        }

        return lines;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Limit);
        while (!condition())
        {
            // Polls the files the daemon writes; the deadline only bounds a run that went wrong.
            await Task.Delay(50, deadline.Token);
        }
    }
}
