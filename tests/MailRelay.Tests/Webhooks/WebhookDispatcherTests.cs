using System.Security.Cryptography;
using System.Text;
using MailRelay.Events;

namespace MailRelay.Tests.Webhooks;

public class WebhookDispatcherTests
{
    [Fact]
    public async Task Each_event_is_one_post_of_its_json_line_with_id_type_and_a_signature_that_verifies_with_the_secret_only()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = WebhookHarness.Create(receiver.Url, headers: [new("Authorization", "Bearer app-token")]);
        var record = harness.Outbox.Append(RelayEventTypes.Delivered, "Q1", harness.Time.GetUtcNow(), "rcpt@example.net");
        harness.Start();

        await receiver.WaitForRequestsAsync(1);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(record.Json.ToArray(), request.Body);
        Assert.Equal(record.Id, request.EventId);
        Assert.Equal("delivered", request.EventType);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("Bearer app-token", request.Headers["Authorization"]);
        var (timestamp, mac) = ParseSignature(request.Signature);
        Assert.Equal(harness.Time.GetUtcNow().ToUnixTimeSeconds(), timestamp);
        Assert.Equal(mac, Hmac(WebhookHarness.Secret, timestamp, request.Body));
        Assert.NotEqual(mac, Hmac("another-secret-0123456789abcdef", timestamp, request.Body));
        Assert.NotEqual(mac, Hmac(WebhookHarness.Secret, timestamp + 1, request.Body));
    }

    [Fact]
    public async Task The_signature_verifies_with_openssl_as_an_independent_receiver_would()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = WebhookHarness.Create(receiver.Url);
        harness.Outbox.Append(RelayEventTypes.Bounced, "Q1", harness.Time.GetUtcNow(), "gone@example.net");
        harness.Start();
        await receiver.WaitForRequestsAsync(1);
        var request = receiver.Requests[0];
        var (timestamp, mac) = ParseSignature(request.Signature);

        var signed = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(signed, [.. Encoding.ASCII.GetBytes($"{timestamp}."), .. request.Body]);
            var start = new System.Diagnostics.ProcessStartInfo("openssl", ["dgst", "-sha256", "-hmac", WebhookHarness.Secret, "-r", signed]) { RedirectStandardOutput = true };
            using var openssl = System.Diagnostics.Process.Start(start)!;
            var output = await openssl.StandardOutput.ReadToEndAsync();
            await openssl.WaitForExitAsync();
            Assert.Equal(0, openssl.ExitCode);
            Assert.Equal(mac, output.Split(' ')[0].Trim());
        }
        finally
        {
            File.Delete(signed);
        }
    }

    [Fact]
    public async Task Only_the_event_types_of_the_filter_are_sent_and_the_others_are_acknowledged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = WebhookHarness.Create(receiver.Url, events: new HashSet<string> { RelayEventTypes.Bounced, RelayEventTypes.Expired });
        var now = harness.Time.GetUtcNow();
        harness.Outbox.Append(RelayEventTypes.Deferred, "Q1", now);
        var bounced = harness.Outbox.Append(RelayEventTypes.Bounced, "Q1", now);
        harness.Outbox.Append(RelayEventTypes.Delivered, "Q2", now);
        var expired = harness.Outbox.Append(RelayEventTypes.Expired, "Q3", now);
        harness.Outbox.Append(RelayEventTypes.Delivered, "Q4", now);
        harness.Start();

        await harness.WaitForAcknowledgedAsync(6);

        Assert.Equal([bounced.Id, expired.Id], receiver.Requests.Select(r => r.EventId).Order());
        Assert.Equal(2, await harness.MetricAsync("mailrelay_webhook_events_sent_total"));
    }

    [Fact]
    public async Task Events_of_one_message_go_one_after_the_other_while_other_messages_go_in_parallel()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new Dictionary<string, TaskCompletionSource<WebhookAnswer>>();
        receiver.Answer = (request, token) =>
        {
            TaskCompletionSource<WebhookAnswer> answer;
            lock (release)
            {
                answer = release[request.EventId] = new TaskCompletionSource<WebhookAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return answer.Task.WaitAsync(token);
        };
        await using var harness = WebhookHarness.Create(receiver.Url);
        var now = harness.Time.GetUtcNow();
        var a1 = harness.Outbox.Append(RelayEventTypes.Deferred, "QA", now);
        var b1 = harness.Outbox.Append(RelayEventTypes.Deferred, "QB", now);
        var a2 = harness.Outbox.Append(RelayEventTypes.Delivered, "QA", now);
        var b2 = harness.Outbox.Append(RelayEventTypes.Bounced, "QB", now);
        var c1 = harness.Outbox.Append(RelayEventTypes.Delivered, "QC", now);
        harness.Start();

        // The first event of each message is in flight at once; the second of A and B waits for the first.
        await receiver.WaitForRequestsAsync(3);
        Assert.Equal([a1.Id, b1.Id, c1.Id], receiver.Requests.Select(r => r.EventId).Order());
        Assert.Equal(3, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));

        Release(release, b1.Id);
        await receiver.WaitForRequestsAsync(4);
        Assert.Equal(b2.Id, receiver.Requests[3].EventId);
        Assert.DoesNotContain(receiver.Requests, r => r.EventId == a2.Id);

        Release(release, a1.Id);
        await receiver.WaitForRequestsAsync(5);
        Assert.Equal(a2.Id, receiver.Requests[4].EventId);
        Release(release, a2.Id);
        Release(release, b2.Id);
        Release(release, c1.Id);
        await harness.WaitForAcknowledgedAsync(6);
        Assert.Equal(5, receiver.Requests.Count);
    }

    [Fact]
    public async Task No_more_requests_than_the_in_flight_bound_are_open_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var gate = new TaskCompletionSource<WebhookAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = (_, token) => gate.Task.WaitAsync(token);
        await using var harness = WebhookHarness.Create(receiver.Url, maxInFlight: 2);
        for (var i = 0; i < 6; i++)
        {
            harness.Outbox.Append(RelayEventTypes.Delivered, $"Q{i}", harness.Time.GetUtcNow());
        }

        harness.Start();
        await receiver.WaitForRequestsAsync(2);
        Assert.Equal(2, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));

        // A seventh event, appended now, wakes the dispatcher; still only two requests are open.
        harness.Outbox.Append(RelayEventTypes.Delivered, "Q6", harness.Time.GetUtcNow());
        await harness.Outbox.WaitForWaiterAsync(8);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(2, await harness.MetricAsync("mailrelay_webhook_requests_in_flight"));

        gate.SetResult(new WebhookAnswer(204));
        await harness.WaitForAcknowledgedAsync(8);
        Assert.Equal(7, receiver.Requests.Select(r => r.EventId).Distinct().Count());
    }

    internal static (long Timestamp, string Mac) ParseSignature(string header)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture), parts["v1"]);
    }

    internal static string Hmac(string secret, long timestamp, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.ASCII.GetBytes($"{timestamp}."), .. body]));

    private static void Release(Dictionary<string, TaskCompletionSource<WebhookAnswer>> release, string id)
    {
        lock (release)
        {
            release[id].SetResult(new WebhookAnswer(200));
        }
    }
}
