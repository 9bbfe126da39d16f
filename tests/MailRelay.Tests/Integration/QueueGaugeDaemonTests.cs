using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using MailRelay.Tests.Delivery.Transport;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The queue gauges of the running daemon's <c>/metrics</c> against what <c>MailRelay queue list</c> prints, after
/// accepting, deferring, delivering, holding, deleting, restarting and expiring: what an alert sees is what an
/// operator sees, including once the queue is empty.
/// </summary>
public sealed partial class QueueGaugeDaemonTests
{
    private const string Sender = "app@ours.example";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Metrics_equal_queue_list_through_every_kind_of_change()
    {
        using var data = new TestDirectory();
        var accepting = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address => accepting.ContainsKey(address) ? "250 2.1.5 Ok" : "451 4.3.0 Try again later",
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var environment = new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "relay.test.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["SHUTDOWN_TIMEOUT"] = "10s",
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
            ["DKIM_ENABLED"] = "false",
            ["DELIVERY_ROUTES"] =
                $"{{\"dest.test\":\"127.0.0.1:{destination.EndPoint.Port}\",\"ours.example\":\"127.0.0.1:{senderHost.EndPoint.Port}\"}}",
            // Deferred mail waits for `queue flush`, so each step below is a quiet state to compare.
            ["RETRY_SCHEDULE"] = "1h",
            ["QUEUE_LIFETIME"] = "1d",
        };
        var daemon = await DaemonProcess.StartAsync(environment);
        try
        {
            await AssertAgreeAsync(daemon, environment, new QueueView(0, 0, 0));

            // Accept two messages of two recipients each; every attempt is deferred.
            var first = await SubmitAsync(daemon, "r1@dest.test", "r2@dest.test");
            await SubmitAsync(daemon, "r3@dest.test", "r4@dest.test");
            await AssertAgreeAsync(daemon, environment, new QueueView(2, 4, 4));

            // Deliver: the second message leaves the queue, the first keeps one deferred recipient.
            foreach (var address in new[] { "r1@dest.test", "r3@dest.test", "r4@dest.test" })
            {
                accepting[address] = true;
            }

            await CliAsync(environment, "queue", "flush");
            await AssertAgreeAsync(daemon, environment, new QueueView(1, 1, 1));

            // Hold and release a third message: a held message is still queued.
            var third = await SubmitAsync(daemon, "r5@dest.test");
            await AssertAgreeAsync(daemon, environment, new QueueView(2, 2, 2));
            await CliAsync(environment, "queue", "hold", third);
            await AssertAgreeAsync(daemon, environment, new QueueView(2, 2, 2, Held: 1));
            await CliAsync(environment, "queue", "release", third);
            await AssertAgreeAsync(daemon, environment, new QueueView(2, 2, 2));

            // Delete.
            await CliAsync(environment, "queue", "delete", third);
            await AssertAgreeAsync(daemon, environment, new QueueView(1, 1, 1));

            // Restart: the gauges come from the recovered queue, not from a count that started at zero.
            daemon = await RestartAsync(daemon, environment);
            await AssertAgreeAsync(daemon, environment, new QueueView(1, 1, 1));

            // Expire: with a lifetime shorter than the message's age the next attempt bounces its last recipient,
            // the DSN goes to the sender, and the queue is empty.
            environment["QUEUE_LIFETIME"] = "1s";
            daemon = await RestartAsync(daemon, environment);
            await CliAsync(environment, "queue", "flush", first);
            await senderHost.WaitUntilAsync(() => !senderHost.Messages.IsEmpty, Limit);
            await AssertAgreeAsync(daemon, environment, new QueueView(0, 0, 0));
            Assert.Contains("Final-Recipient: rfc822; r2@dest.test", System.Text.Encoding.UTF8.GetString(Assert.Single(senderHost.Messages).Data), StringComparison.Ordinal);
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    /// <summary>
    /// Waits until <c>queue list</c> shows <paramref name="expected"/> (every deferral recorded), then compares
    /// the daemon's gauges with that listing.
    /// </summary>
    private static async Task AssertAgreeAsync(DaemonProcess daemon, Dictionary<string, string> environment, QueueView expected)
    {
        using var deadline = new CancellationTokenSource(Limit);
        QueueView listed;
        string listing;
        while (true)
        {
            listing = await CliAsync(environment, "queue", "list");
            listed = QueueView.Parse(listing);
            if (listed == expected)
            {
                break;
            }

            Assert.False(deadline.IsCancellationRequested, $"queue list never showed {expected}:\n{listing}");
        }

        var samples = MetricSample.ParseAll(await AdminClient.GetAsync(daemon, "/metrics"));
        Assert.Equal(listed.Messages, Gauge(samples, "mailrelay_queue_messages"));
        Assert.Equal(listed.Recipients, Gauge(samples, "mailrelay_queue_recipients"));
        var age = Gauge(samples, "mailrelay_queue_oldest_message_age_seconds");
        if (listed.Messages == 0)
        {
            Assert.Equal(0, age);
        }
        else
        {
            // The listing prints arrival times to the second: the gauge is that age, give or take the seconds the
            // listing and the scrape took.
            var oldest = ArrivalPattern().Matches(listing)
                .Select(m => DateTimeOffset.ParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
                .Min();
            var listedAge = (DateTimeOffset.UtcNow - oldest).TotalSeconds;
            Assert.InRange(age, listedAge - 10, listedAge + 1);
        }
    }

    private static double Gauge(IReadOnlyList<MetricSample> samples, string name) => Assert.Single(samples, s => s.Name == name).Value;

    private static async Task<DaemonProcess> RestartAsync(DaemonProcess daemon, Dictionary<string, string> environment)
    {
        daemon.Terminate();
        await daemon.WaitForExitAsync(Limit);
        Assert.Equal(0, daemon.ExitCode);
        await daemon.DisposeAsync();
        return await DaemonProcess.StartAsync(environment);
    }

    private static async Task<string> CliAsync(Dictionary<string, string> environment, params string[] args)
    {
        var (exit, output) = await DaemonProcess.RunToExitAsync(environment, args);
        Assert.True(exit == 0, $"MailRelay {string.Join(' ', args)} exited {exit}:\n{output}");
        return output;
    }

    private static async Task<string> SubmitAsync(DaemonProcess daemon, params string[] recipients)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(Sender));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = "gauges";
        message.Body = new TextPart("plain") { Text = "queued, deferred, delivered\r\n" };
        return await daemon.SubmitAsync(message);
    }


    [GeneratedRegex(@"(?m)^\S+!?\s+\d+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")]
    private static partial Regex ArrivalPattern();

    /// <summary>
    /// What a <c>queue list</c> shows: messages ("N Requests"), recipient lines, recipient lines under a deferral
    /// reply, and messages marked held.
    /// </summary>
    private sealed partial record QueueView(int Messages, int Recipients, int Deferred, int Held = 0)
    {
        public static QueueView Parse(string listing)
        {
            if (listing.Contains("Mail queue is empty", StringComparison.Ordinal))
            {
                return new QueueView(0, 0, 0);
            }

            var messages = int.Parse(RequestsPattern().Match(listing).Groups[1].Value, CultureInfo.InvariantCulture);
            int recipients = 0, deferred = 0, held = 0;
            var underReply = false;
            foreach (var line in listing.Split('\n').Select(l => l.TrimEnd('\r')))
            {
                if (line.StartsWith('('))
                {
                    underReply = true;
                }
                else if (line.StartsWith(' ') && line.Contains('@', StringComparison.Ordinal))
                {
                    recipients++;
                    deferred += underReply ? 1 : 0;
                }
                else
                {
                    underReply = false;
                    held += HeldPattern().IsMatch(line) ? 1 : 0;
                }
            }

            return new QueueView(messages, recipients, deferred, held);
        }

        [GeneratedRegex(@"in (\d+) Requests?\.")]
        private static partial Regex RequestsPattern();

        [GeneratedRegex(@"^\S+!\s*\d+ ")]
        private static partial Regex HeldPattern();
    }
}
