using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>The published daemon as a process: durability across kill -9, SIGTERM drain, startup errors, CLI.</summary>
public class ProcessLifecycleTests
{
    private static Dictionary<string, string> Environment(TestDirectory data) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["SHUTDOWN_TIMEOUT"] = "20s",
        ["DELIVERY_ROUTES"] = TestNetwork.UnreachableRoutes,
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
    };

    private static readonly string Filler = string.Concat(Enumerable.Repeat(new string('x', 76) + "\r\n", 30));

    [Fact]
    public async Task Every_message_acknowledged_with_250_survives_kill_9()
    {
        using var data = new TestDirectory();
        var daemon = await DaemonProcess.StartAsync(Environment(data));
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task SendLoopAsync(int worker)
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var marker = $"worker {worker} message {i} {Guid.NewGuid():N}";
                var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse("app@ours.example"));
                message.To.Add(MailboxAddress.Parse("someone@elsewhere.example"));
                message.Subject = marker;
                message.Body = new TextPart("plain") { Text = marker + "\r\n" + Filler };
                string reply;
                try
                {
                    reply = await client.SendAsync(message);
                }
                catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or System.Net.Sockets.SocketException)
                {
                    return;
                }

                var id = reply[(reply.LastIndexOf(' ') + 1)..];
                acknowledged[id] = marker;
                if (acknowledged.Count >= 150)
                {
                    // Kill while the other workers are mid-transaction.
                    enough.TrySetResult();
                }
            }
        }

        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() => SendLoopAsync(w))).ToArray();
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
        daemon.Kill();
        await stop.CancelAsync();
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        await daemon.DisposeAsync();

        Assert.True(acknowledged.Count >= 150);
        var queued = data.QueuedMessages().ToDictionary(m => m.QueueId, StringComparer.Ordinal);
        foreach (var (id, marker) in acknowledged)
        {
            Assert.True(queued.TryGetValue(id, out var message), $"acknowledged message {id} is missing after kill -9");
            var text = Encoding.Latin1.GetString(message.Bytes);
            Assert.Contains("Subject: " + marker, text, StringComparison.Ordinal);
            Assert.EndsWith(Filler, text, StringComparison.Ordinal);
        }

        // After a restart the queue is intact and the listing shows every acknowledged message.
        var (exit, listing) = await DaemonProcess.RunToExitAsync(Environment(data), "queue", "list");
        Assert.Equal(0, exit);
        foreach (var id in acknowledged.Keys)
        {
            Assert.Contains(id, listing, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sigterm_tells_idle_sessions_421_and_exits_cleanly()
    {
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data));
        await using var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO app.example"), StringComparison.Ordinal);

        daemon.Terminate();

        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, daemon.ExitCode);
        Assert.Contains("MailRelay stopped", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_lets_a_message_in_progress_finish_before_exiting()
    {
        using var data = new TestDirectory();
        await using var daemon = await DaemonProcess.StartAsync(Environment(data));
        await using var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO app.example");
        await client.CommandAsync("MAIL FROM:<app@ours.example>");
        await client.CommandAsync("RCPT TO:<someone@elsewhere.example>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync("Subject: half way\r\n\r\nfirst part\r\n");

        daemon.Terminate();
        await client.SendAsync("second part\r\n.\r\n");

        Assert.StartsWith("250 2.0.0 Ok: queued as ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, daemon.ExitCode);
        Assert.Single(data.QueuedFiles());
    }

    [Fact]
    public async Task Bad_configuration_stops_the_daemon_naming_the_variable()
    {
        using var data = new TestDirectory();
        var environment = Environment(data);
        environment["MAX_MESSAGE_SIZE"] = "lots";
        environment["TRUSTED_NETWORKS"] = "10.0.0.0/33";

        var (exit, output) = await DaemonProcess.RunToExitAsync(environment);

        Assert.NotEqual(0, exit);
        Assert.Contains("MAX_MESSAGE_SIZE", output, StringComparison.Ordinal);
        Assert.Contains("TRUSTED_NETWORKS", output, StringComparison.Ordinal);
        Assert.DoesNotContain(" ready: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_logs_carry_one_event_per_session_with_its_outcome()
    {
        using var data = new TestDirectory();
        var environment = Environment(data);
        environment["LOG_FORMAT"] = "json";
        await using var daemon = await DaemonProcess.StartAsync(environment);
        await using (var client = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint))
        {
            await client.ReadReplyAsync();
            await client.CommandAsync("EHLO json.example");
            await client.CommandAsync("QUIT");
            await client.IsClosedByServerAsync();
        }

        daemon.Terminate();
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var sessions = daemon.Output.Split('\n')
            .Where(l => l.StartsWith('{') && l.Contains("\"Outcome\"", StringComparison.Ordinal))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .ToList();
        var session = Assert.Single(sessions);
        Assert.Equal("Quit", session.GetProperty("Outcome").GetString());
        Assert.Equal("json.example", session.GetProperty("Helo").GetString());
    }
}
