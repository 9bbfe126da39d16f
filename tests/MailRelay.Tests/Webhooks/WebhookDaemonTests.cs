using System.Collections.Concurrent;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Tests.Delivery.Transport;
using MailRelay.Tests.Integration;
using MimeKit;

namespace MailRelay.Tests.Webhooks;

/// <summary>
/// The real daemon, its event outbox and its webhooks against a receiver on loopback: the events of a mixed run
/// (delivered, deferred then delivered, bounced, expired) all arrive, signed, in order per message, although the
/// receiver was down while they happened and the daemon was killed with SIGKILL before any was accepted.
/// </summary>
public class WebhookDaemonTests
{
    private const string Secret = "daemon-webhook-secret-0123456789";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_mixed_run_reaches_the_receiver_whole_signed_and_in_order_across_its_outage_and_a_kill_9()
    {
        using var data = new TestDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var up = false;
        var accepted = new ConcurrentQueue<ReceivedWebhook>();
        receiver.Answer = (request, _) =>
        {
            if (!Volatile.Read(ref up))
            {
                return Task.FromResult(new WebhookAnswer(503));
            }

            accepted.Enqueue(request);
            return Task.FromResult(new WebhookAnswer(200));
        };
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var destination = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour
        {
            RecipientReply = address => (address, attempts.AddOrUpdate(address, 1, (_, n) => n + 1)) switch
            {
                ("gone@dest.test", _) => "550 5.1.1 No such user here",
                ("later@dest.test", 1) => "451 4.3.0 Try again later",
                ("stuck@dest.test", _) => "451 4.3.0 Still not",
                _ => "250 2.1.5 Ok",
            },
        });
        await using var senderHost = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        var environment = new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "relay.test.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["DKIM_ENABLED"] = "false",
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
            ["DELIVERY_ROUTES"] = $"{{\"dest.test\":\"127.0.0.1:{destination.EndPoint.Port}\",\"ours.example\":\"127.0.0.1:{senderHost.EndPoint.Port}\"}}",
            ["RETRY_SCHEDULE"] = "1s",
            ["QUEUE_LIFETIME"] = "4s",
            ["WEBHOOK_ENDPOINTS"] = $"[{{\"name\":\"app\",\"url\":\"{receiver.Url}\"}}]",
            ["WEBHOOK_SECRET"] = Secret,
        };

        // The receiver is down for the whole run: every outcome is decided (both DSNs sent) before any event is accepted.
        var daemon = await DaemonProcess.StartAsync(environment);
        try
        {
            await SubmitAsync(daemon, "ok@dest.test", "later@dest.test", "gone@dest.test", "stuck@dest.test");
            await senderHost.WaitUntilAsync(() => senderHost.Messages.Count >= 2, Limit);
            await receiver.WaitForRequestsAsync(1);
            daemon.Kill();
            await daemon.WaitForExitAsync(Limit);
        }
        finally
        {
            await daemon.DisposeAsync();
        }

        var beforeKill = receiver.Requests;
        Assert.Empty(accepted);

        // Back up, and the daemon restarted on the same DATA_DIR: every event comes, from the position nothing passed.
        Volatile.Write(ref up, true);
        await using var restarted = await DaemonProcess.StartAsync(environment);
        await receiver.WaitUntilAsync(_ => Outcomes(accepted, "stuck@dest.test").Contains("expired"));

        Assert.Equal(["delivered"], Outcomes(accepted, "ok@dest.test"));
        Assert.Equal(["deferred", "delivered"], Outcomes(accepted, "later@dest.test"));
        Assert.Equal(["bounced"], Outcomes(accepted, "gone@dest.test"));
        var stuck = Outcomes(accepted, "stuck@dest.test");
        Assert.Equal("expired", stuck[^1]);
        Assert.All(stuck[..^1], type => Assert.Equal("deferred", type));
        Assert.NotEmpty(stuck[..^1]);

        // The events of the message came one after the other, in the order the relay wrote them.
        var message = accepted.Where(r => Field(r, "recipient")?.EndsWith("@dest.test", StringComparison.Ordinal) == true).ToArray();
        Assert.Single(message.Select(r => Field(r, "queue_id")).Distinct());
        Assert.Equal(message.Select(r => Sequence(r)).Order(), message.Select(r => Sequence(r)));

        // Every request was signed with the secret; what was attempted before the kill came again with the same id and body.
        Assert.All(receiver.Requests, request =>
        {
            var (timestamp, mac) = WebhookDispatcherTests.ParseSignature(request.Signature);
            Assert.Equal(WebhookDispatcherTests.Hmac(Secret, timestamp, request.Body), mac);
            Assert.Equal(request.EventId, Field(request, "id"));
        });
        Assert.All(beforeKill, earlier => Assert.Contains(accepted, later => later.EventId == earlier.EventId && later.Body.SequenceEqual(earlier.Body)));
        Assert.Equal(accepted.Count, accepted.Select(r => r.EventId).Distinct().Count());
    }

    private static string[] Outcomes(IEnumerable<ReceivedWebhook> requests, string recipient) =>
        [.. requests.Where(r => Field(r, "recipient") == recipient).Select(r => r.EventType)];

    private static string? Field(ReceivedWebhook request, string name) =>
        JsonDocument.Parse(request.Body).RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Sequence(ReceivedWebhook request) =>
        JsonDocument.Parse(request.Body).RootElement.TryGetProperty("sequence", out var value) ? value.GetInt64() : 0;

    private static async Task SubmitAsync(DaemonProcess daemon, params string[] recipients)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = "webhooks";
        message.Body = new TextPart("plain") { Text = "one message, four outcomes\r\n" };
        using var client = new SmtpClient();
        await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
