using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Pacing measured where a provider measures it: the daemon delivers through a route to a <see cref="FakeProviderMx"/>
/// that takes 2 × 300 ms to greet and answer EHLO (a slow connection setup) and records when each MAIL FROM arrives.
/// However the transactions mix new connections with reused ones, consecutive MAIL FROMs are never closer than the
/// configured gap. These assert gaps (a floor), never speed.
/// </summary>
public sealed class PacingAtReceiverTests
{
    private const string Domain = "paced.test";
    private const int Messages = 4;
    private static readonly TimeSpan Greeting = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Clock granularity only. The arrivals are the kernel's receive stamps of the MAIL FROM packets; the daemon records
    /// a transaction as begun before it writes the MAIL FROM (so that packet arrives after the record) and moves the
    /// record to the instant the write completed (so the packet arrived before it), and keeps the gap between records.
    /// Both read CLOCK_REALTIME; the stamps lose up to 100 ns as ticks. The fault this guards against takes a whole
    /// connection setup (here 600 ms) off a gap.
    /// </summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(1);

    [Theory]
    [InlineData("""{"rate":"1/1s","maxConnections":2,"maxPerConnection":2}""", false)]
    [InlineData("""{"delayMs":1000,"maxConnections":2,"maxPerConnection":2}""", false)]
    [InlineData("""{"maxConnections":2,"maxPerConnection":2}""", true)]
    public async Task Consecutive_MAIL_FROMs_at_the_receiver_are_never_closer_than_the_configured_gap(string limits, bool adaptive)
    {
        await using var provider = FakeProviderMx.Start(
            [IPAddress.Loopback], 0, messagesPerWindow: 1000, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeProvider.System, Greeting);
        var settings = Settings(provider, limits);
        if (adaptive)
        {
            // A fixed adaptive delay of 1 s, nothing static: the controller's delay alone paces the provider.
            settings["ADAPTIVE_RATE_ENABLED"] = "true";
            settings["ADAPTIVE_RATE_DEFAULTS"] = """{"minDelay":1000,"maxDelay":1000,"initialDelay":1000}""";
        }

        await using var relay = await InProcessRelay.StartAsync(settings);
        await SubmitAsync(relay, Messages);

        await provider.WaitUntilAsync(() => provider.Accepted.Count == Messages, TimeSpan.FromSeconds(60));

        // The test reproduces the incident: some transactions went over a new (slow) connection and some over a reused
        // one, so a gate before connecting would have let a reused connection's MAIL FROM follow too closely.
        Assert.InRange(provider.Connections.Count, 2, Messages - 1);
        var arrivals = provider.MailFromArrivals.ToArray();
        Assert.Equal(Messages, arrivals.Length);
        var gaps = arrivals.Zip(arrivals.Skip(1), (earlier, later) => later - earlier).ToArray();
        Assert.True(
            gaps.Min() >= TimeSpan.FromSeconds(1) - Tolerance,
            $"MAIL FROM gaps at the receiver: {string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:0} ms"))}");
    }

    [Fact]
    public async Task The_warm_up_cap_counts_transactions_over_one_reused_connection_and_keeps_the_gap()
    {
        const int cap = 3;
        await using var provider = FakeProviderMx.Start(
            [IPAddress.Loopback], 0, messagesPerWindow: 1000, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeProvider.System, Greeting);
        var settings = Settings(provider, """{"rate":"1/1s","maxConnections":1}""");
        settings["WARMUP_ENABLED"] = "true";
        settings["WARMUP_START_DATE"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        settings["WARMUP_DAILY_CAPS"] = $"{cap}";
        settings["WARMUP_DOMAINS"] = Domain;
        await using var relay = await InProcessRelay.StartAsync(settings);
        await SubmitAsync(relay, cap + 2);

        await provider.WaitUntilAsync(() => provider.Accepted.Count == cap, TimeSpan.FromSeconds(60));
        await WaitForLogAsync(relay, "warm-up cap reached");

        // One connection carried every transaction, and the cap counted each of them.
        Assert.Single(provider.Connections);
        var arrivals = provider.MailFromArrivals.ToArray();
        Assert.Equal(cap, arrivals.Length);
        var gaps = arrivals.Zip(arrivals.Skip(1), (earlier, later) => later - earlier).ToArray();
        Assert.True(
            gaps.Min() >= TimeSpan.FromSeconds(1) - Tolerance,
            $"MAIL FROM gaps at the receiver: {string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:0} ms"))}");
    }

    private static Dictionary<string, string?> Settings(FakeProviderMx provider, string limits) => new()
    {
        ["DKIM_ENABLED"] = "false",
        ["DELIVERY_ROUTES"] = $$"""{"{{Domain}}":"127.0.0.1:{{provider.Port}}"}""",
        ["RATE_LIMIT_ENABLED"] = "true",
        ["RATE_LIMIT_DOMAINS"] = $$"""{"{{Domain}}":{{limits}}}""",
    };

    private static async Task SubmitAsync(InProcessRelay relay, int count)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, SecureSocketOptions.None);
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("app@ours.example"));
            message.To.Add(MailboxAddress.Parse($"user{i}@{Domain}"));
            message.Subject = $"paced {i}";
            message.Body = new TextPart("plain") { Text = "body\r\n" };
            await client.SendAsync(message);
        }

        await client.DisconnectAsync(quit: true);
    }

    /// <summary>Waits, bounded, for the daemon to log <paramref name="text"/>.</summary>
    private static async Task WaitForLogAsync(InProcessRelay relay, string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!relay.Log.Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }
}
