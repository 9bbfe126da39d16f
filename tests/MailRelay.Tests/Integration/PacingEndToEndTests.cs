using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Pacing as deployed: the daemon as a process resolves two recipient domains through a real dnsmasq to two MX hosts
/// of one fake provider that accepts at most 3 messages in any second and answers 421 4.7.28 above that.
/// </summary>
public sealed class PacingEndToEndTests
{
    private const int Messages = 20;
    private const int MaxConnections = 2;
    private const int MaxPerConnection = 5;
    private const int InitialDelayMs = 50;

    private static Dictionary<string, string> Environment(TestDirectory data, FakeProviderNetwork network) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["DKIM_ENABLED"] = "false",
        ["DNS_SERVERS"] = network.Dns.EndPoint.ToString(),
        ["RETRY_SCHEDULE"] = "1s",
        ["RATE_LIMIT_ENABLED"] = "true",
        ["RATE_LIMIT_DOMAINS"] =
            $"{{\"{FakeProviderNetwork.ProviderDomain}\":{{\"maxConnections\":{MaxConnections},\"maxPerConnection\":{MaxPerConnection}}}}}",
        ["ADAPTIVE_RATE_ENABLED"] = "true",

        // Fast enough to overrun the provider at first (50 ms apart against its 333 ms), a backoff that outweighs
        // every recovery these few messages can earn (2 × 0.95^(20/3) > 1), so the delay ends above where it began.
        ["ADAPTIVE_RATE_DEFAULTS"] =
            $$"""{"minDelay":{{InitialDelayMs}},"maxDelay":500,"initialDelay":{{InitialDelayMs}},"backoffMultiplier":2,"recoveryRate":0.95,"successThreshold":3,"circuitBreakerThreshold":10,"circuitBreakerDuration":1000}""",
    };

    private static MimeMessage Message(int i)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@ours.example"));
        message.To.Add(MailboxAddress.Parse(Recipient(i)));
        message.Subject = $"paced {i:D2}";
        message.Body = new TextPart("plain") { Text = "body\r\n" };
        return message;
    }

    private static string Recipient(int i) => $"user{i:D2}@{(i < Messages / 2 ? FakeProviderNetwork.AlphaDomain : FakeProviderNetwork.BetaDomain)}";

    private static string Subject(byte[] content)
    {
        var text = Encoding.Latin1.GetString(content);
        var start = text.IndexOf("\r\nSubject: ", StringComparison.Ordinal) + 11;
        return text[start..text.IndexOf("\r\n", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Two_domains_of_one_provider_share_its_pacing_all_mail_arrives_once_within_the_ceilings_and_421s_slow_it_down()
    {
        await using var network = await FakeProviderNetwork.StartAsync(messagesPerWindow: 3, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));
        var provider = network.Provider;
        using var data = new TestDirectory();
        var environment = Environment(data, network);
        var daemon = await DaemonProcess.StartAsync(environment);
        try
        {
            // One domain after the other, so that connections to one MX host have enough messages to reach their quota.
            using (var client = new SmtpClient())
            {
                await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
                for (var i = 0; i < Messages; i++)
                {
                    await client.SendAsync(Message(i));
                }

                await client.DisconnectAsync(quit: true);
            }

            await provider.WaitUntilAsync(() => provider.Accepted.Select(m => Subject(m.Content)).Distinct().Count() == Messages, TimeSpan.FromSeconds(120));
            // The daemon counts a send when it has read the 250, a moment after the provider wrote it.
            var metrics = await AdminClient.MetricsWhenAsync(
                daemon, samples => samples.Any(s => s.Name == "mailrelay_pacing_sends_total" && s.Value >= Messages), TimeSpan.FromSeconds(30));

            // Every message exactly once, to the recipient it was addressed to.
            daemon.Terminate();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var accepted = provider.Accepted.ToList();
            Assert.Equal(Messages, accepted.Count);
            Assert.Equal(
                Enumerable.Range(0, Messages).Select(i => ($"paced {i:D2}", Recipient(i))),
                accepted.Select(m => (Subject(m.Content), Assert.Single(m.Recipients))).OrderBy(p => p.Item1, StringComparer.Ordinal));

            // The static ceilings held at the provider's side of the wire.
            Assert.InRange(provider.MaxConcurrentConnections, 1, MaxConnections);
            Assert.All(provider.Connections, c => Assert.InRange(c.Accepted, 0, MaxPerConnection));

            // The provider refused at least once, and each refusal was taken as a rate limit of the one shared provider.
            Assert.True(provider.RateLimitedReplies >= 1, "the fake provider never answered 421: the test did not exercise the controller");
            Assert.Equal(provider.RateLimitedReplies, Value(metrics, "mailrelay_pacing_rate_limited_replies_total", FakeProviderNetwork.ProviderDomain));
            Assert.Equal(Messages, Value(metrics, "mailrelay_pacing_sends_total", FakeProviderNetwork.ProviderDomain));
            Assert.True(
                Value(metrics, "mailrelay_pacing_delay_seconds", FakeProviderNetwork.ProviderDomain) * 1000 > InitialDelayMs,
                "the delay did not go up after the provider's 421s");
            var providers = metrics.Where(s => s.Name.StartsWith("mailrelay_pacing_", StringComparison.Ordinal) && s.Labels.ContainsKey("provider"))
                .Select(s => s.Labels["provider"]).Distinct().ToList();
            Assert.Equal([FakeProviderNetwork.ProviderDomain], providers);

            // The state the daemon kept is the provider's, not the recipient domains'.
            var (exitCode, shown) = await DaemonProcess.RunToExitAsync(environment, "rate", "show");
            Assert.True(exitCode == 0, shown);
            Assert.Contains(FakeProviderNetwork.ProviderDomain, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeProviderNetwork.AlphaDomain, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeProviderNetwork.BetaDomain, shown, StringComparison.Ordinal);
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    private static double Value(IReadOnlyList<MetricSample> metrics, string name, string provider) =>
        Assert.Single(metrics, s => s.Name == name && s.Labels.TryGetValue("provider", out var p) && p == provider).Value;
}
