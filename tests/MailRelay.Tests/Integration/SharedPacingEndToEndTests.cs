using System.Globalization;
using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Tests.Support;
using MimeKit;
using StackExchange.Redis;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Two daemons (the real executable) sharing one provider through a real redis-server, measured where the provider
/// measures: the kernel's receive stamps of the MAIL FROMs at a <see cref="FakeProviderMx"/> both deliver to. Their
/// sum keeps the provider's ceilings (connections kept idle for reuse included), every message arrives once, a rate-limit reply to one slows the other, and with
/// Redis killed mid-run and started again the sum still keeps the ceilings (each daemon on its share, REPLICAS=2,
/// counting for one interval the slots Redis gave it before, however unevenly), delivery goes on and sharing resumes.
/// These assert gaps and counts (floors and ceilings), never speed.
/// </summary>
public sealed class SharedPacingEndToEndTests
{
    private const string Domain = "paced.test";
    private const string Sender = "app@ours.example";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    /// <summary>The provider's ceilings in the daemons' configuration: 2 messages a second, 2 connections, 1 message each.</summary>
    private const string CeilingLimits = """{"rate":"2/1s","maxConnections":2,"maxPerConnection":1}""";

    /// <summary>
    /// Each daemon waits for a transaction's instant on its own clock from an offset Redis gave it, so the daemons'
    /// MAIL FROMs can be closer than the ceiling by the difference of their answer times: well under a millisecond
    /// on loopback. The fault this guards against takes a whole gap (here 500 ms) off.
    /// </summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Two_daemons_sharing_a_provider_keep_its_ceilings_together_and_deliver_every_message_once()
    {
        await using var pair = await SharingPair.StartAsync(providerMessagesPerSecond: 1000, CeilingLimits);
        var (a, b, provider) = (pair.A, pair.B, pair.Provider);

        var sent = await Task.WhenAll(SubmitAsync(a, "a", 6), SubmitAsync(b, "b", 6));

        await provider.WaitUntilAsync(() => provider.Accepted.Count >= 12, Limit);
        AssertDeliveredOnce(provider, sent.SelectMany(s => s));
        AssertRate(provider, 2, TimeSpan.FromSeconds(1));
        Assert.InRange(provider.MaxConcurrentConnections, 1, 2);
        Assert.Equal(0, provider.RateLimitedReplies);
    }

    [Fact]
    public async Task A_rate_limit_reply_to_one_daemon_slows_the_other()
    {
        const string adaptive = """{"initialDelay":100,"minDelay":100,"maxDelay":60000,"backoffMultiplier":4,"successThreshold":1000}""";

        // One message a second at most: the second of two sent back to back draws a 421.
        await using var pair = await SharingPair.StartAsync(providerMessagesPerSecond: 1, """{"maxConnections":2}""", adaptive);
        var (a, b, provider) = (pair.A, pair.B, pair.Provider);

        // Only a sends; b has never talked to the provider.
        await SubmitAsync(a, "a", 3);
        await provider.WaitUntilAsync(() => provider.RateLimitedReplies >= 1, Limit);

        var samples = await AdminClient.MetricsWhenAsync(b, s => Delay(s) >= 0.4, Limit);
        Assert.True(Delay(samples) >= 0.4, "b's delay for the provider rose with a's rate-limit reply");
        var aDelay = Delay(await AdminClient.MetricsWhenAsync(a, s => Delay(s) >= 0.4, Limit));
        Assert.True(aDelay >= 0.4);
    }

    [Fact]
    public async Task With_redis_killed_mid_run_the_daemons_keep_the_ceilings_together_deliver_and_share_again_after()
    {
        await using var pair = await SharingPair.StartAsync(providerMessagesPerSecond: 1000, CeilingLimits);
        var (a, b, provider, redis) = (pair.A, pair.B, pair.Provider, pair.Redis);
        var sent = await Task.WhenAll(SubmitAsync(a, "a", 9), SubmitAsync(b, "b", 9));

        await provider.WaitUntilAsync(() => provider.Accepted.Count >= 4, Limit);
        redis.Kill();
        await provider.WaitUntilAsync(() => provider.Accepted.Count >= 10, Limit);

        // Down: both keep delivering, each ready, each on its share.
        foreach (var daemon in new[] { a, b })
        {
            var ready = await AdminClient.GetAsync(daemon, "/readyz");
            Assert.StartsWith("ready\n", ready, StringComparison.Ordinal);
            Assert.Contains("redis: unreachable", ready, StringComparison.Ordinal);
        }

        redis.Restart();
        await provider.WaitUntilAsync(() => provider.Accepted.Count >= 18, Limit);

        AssertDeliveredOnce(provider, sent.SelectMany(s => s));
        AssertRate(provider, 2, TimeSpan.FromSeconds(1));
        Assert.InRange(provider.MaxConcurrentConnections, 1, 2);

        // Back: both report Redis connected again after one fallback, and the shared records are written again.
        foreach (var daemon in new[] { a, b })
        {
            var samples = await AdminClient.MetricsWhenAsync(daemon, s => Value(s, "mailrelay_redis_connected") == 1, Limit);
            Assert.True(Value(samples, "mailrelay_redis_fallback_transitions_total") >= 1);
            Assert.True(Value(samples, "mailrelay_redis_fallback_seconds_total") > 0);
            Assert.Equal("ready\nredis: connected, pacing shared\n", await AdminClient.GetAsync(daemon, "/readyz"));
        }

        using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var keys = connection.GetServer("127.0.0.1", redis.Port).Keys(pattern: "{" + pair.Prefix + "}:*").Select(k => k.ToString()).ToArray();
        Assert.Contains("{" + pair.Prefix + "}:start:p:" + Domain + ":last", keys);
    }

    [Fact]
    public async Task With_connections_reused_the_daemons_keep_the_connection_ceiling_together_counting_idle_connections()
    {
        await using var pair = await SharingPair.StartAsync(providerMessagesPerSecond: 1000, """{"maxConnections":2}""");
        var (a, b, provider) = (pair.A, pair.B, pair.Provider);

        // a delivers first and keeps its connections open for its next messages; b's mail comes while they idle.
        var first = await SubmitAsync(a, "a", 4);
        await provider.WaitUntilAsync(() => provider.Accepted.Count >= 4, Limit);
        var second = await SubmitAsync(b, "b", 4);
        await provider.WaitUntilAsync(() => provider.Accepted.Count >= 8, Limit);

        AssertDeliveredOnce(provider, first.Concat(second));
        Assert.InRange(provider.MaxConcurrentConnections, 1, 2);
        Assert.True(provider.Connections.Count < 8, $"{provider.Connections.Count} connections for 8 messages: none was reused");
    }

    [Fact]
    public async Task As_a_statefulset_pod_the_share_while_redis_is_down_follows_the_statefulset_replica_count_not_REPLICAS()
    {
        await using var api = await FakeStatefulSetApi.StartAsync(replicas: 3);
        using var data = new TestDirectory();
        var environment = DaemonBasics(data);
        environment["REDIS_URL"] = $"redis://127.0.0.1:{UnusedPort().ToString(CultureInfo.InvariantCulture)}";
        environment["REDIS_TIMEOUT"] = "1s";
        environment["REPLICAS"] = "2";
        environment["POD_NAME"] = "mailrelay-1";
        environment["HANDOFF_KUBERNETES_API"] = api.BaseUri.ToString();
        await using var daemon = await DaemonProcess.StartAsync(environment);

        var samples = await AdminClient.MetricsWhenAsync(daemon, s => Value(s, "mailrelay_redis_fallback_replicas") == 3, Limit);

        Assert.Equal(3, Value(samples, "mailrelay_redis_fallback_replicas"));
        Assert.Contains("pacing on this replica's share (1/3) of each ceiling", await AdminClient.GetAsync(daemon, "/readyz"), StringComparison.Ordinal);
        Assert.True(api.Reads >= 1);
    }

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What every daemon of these tests runs with: loopback listeners, a silent resolver, no DKIM.</summary>
    private static Dictionary<string, string> DaemonBasics(TestDirectory data) => new()
    {
        ["MAIL_HOSTNAME"] = "relay.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["DKIM_ENABLED"] = "false",
    };


    private static async Task<string[]> SubmitAsync(DaemonProcess daemon, string tag, int count)
    {
        var recipients = new List<string>();
        using var client = new SmtpClient();
        await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
        for (var i = 0; i < count; i++)
        {
            var recipient = $"{tag}{i.ToString(CultureInfo.InvariantCulture)}@{Domain}";
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(Sender));
            message.To.Add(MailboxAddress.Parse(recipient));
            message.Subject = recipient;
            message.Body = new TextPart("plain") { Text = "body\r\n" };
            await client.SendAsync(message);
            recipients.Add(recipient);
        }

        await client.DisconnectAsync(quit: true);
        return [.. recipients];
    }

    private static void AssertDeliveredOnce(FakeProviderMx provider, IEnumerable<string> recipients)
    {
        var delivered = provider.Accepted.SelectMany(m => m.Recipients).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(recipients.Order(StringComparer.Ordinal), delivered);
    }

    /// <summary>No <paramref name="count"/> + 1 MAIL FROMs within one <paramref name="interval"/>, by the provider's receive stamps.</summary>
    private static void AssertRate(FakeProviderMx provider, int count, TimeSpan interval)
    {
        var arrivals = provider.MailFromArrivals.Order().ToArray();
        var spans = arrivals.Zip(arrivals.Skip(count), (earlier, later) => later - earlier).ToArray();
        Assert.True(
            spans.Min() >= interval - Tolerance,
            $"spans of {count + 1} MAIL FROMs at the receiver: {string.Join(", ", spans.Select(g => $"{g.TotalMilliseconds:0} ms"))}");
    }

    private static double Delay(IReadOnlyList<MetricSample> samples) =>
        samples.Where(s => s.Name == "mailrelay_pacing_delay_seconds" && s.Labels.GetValueOrDefault("provider") == Domain).Select(s => s.Value).DefaultIfEmpty(0).Max();

    private static double Value(IReadOnlyList<MetricSample> samples, string name) =>
        samples.Where(s => s.Name == name).Select(s => s.Value).DefaultIfEmpty(-1).Single();

    /// <summary>
    /// A real redis-server, a <see cref="FakeProviderMx"/> that takes <c>providerMessagesPerSecond</c> before it
    /// answers 421, and two daemons (A and B) that deliver to it under the same rate limits and share their pacing
    /// through that Redis under a key prefix of their own (REPLICAS=2). Stopped in the reverse order of starting.
    /// </summary>
    private sealed class SharingPair : IAsyncDisposable
    {
        private RedisServer? _redis;
        private FakeProviderMx? _provider;
        private TestDirectory? _dataA;
        private TestDirectory? _dataB;
        private DaemonProcess? _a;
        private DaemonProcess? _b;

        private SharingPair()
        {
        }

        public RedisServer Redis => _redis!;

        public FakeProviderMx Provider => _provider!;

        public DaemonProcess A => _a!;

        public DaemonProcess B => _b!;

        public string Prefix { get; } = "e2e" + Guid.NewGuid().ToString("N")[..10];

        public static async Task<SharingPair> StartAsync(int providerMessagesPerSecond, string limits, string? adaptive = null)
        {
            var pair = new SharingPair();
            try
            {
                pair._redis = RedisServer.Start();
                pair._provider = FakeProviderMx.Start(
                    [IPAddress.Loopback], 0, providerMessagesPerSecond, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeProvider.System);
                pair._dataA = new TestDirectory();
                pair._dataB = new TestDirectory();
                pair._a = await DaemonProcess.StartAsync(pair.Environment(pair._dataA, limits, adaptive));
                pair._b = await DaemonProcess.StartAsync(pair.Environment(pair._dataB, limits, adaptive));
                return pair;
            }
            catch
            {
                await pair.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_b is not null)
            {
                await _b.DisposeAsync();
            }

            if (_a is not null)
            {
                await _a.DisposeAsync();
            }

            _dataB?.Dispose();
            _dataA?.Dispose();
            if (_provider is not null)
            {
                await _provider.DisposeAsync();
            }

            _redis?.Dispose();
        }

        private Dictionary<string, string> Environment(TestDirectory data, string limits, string? adaptive)
        {
            var environment = DaemonBasics(data);
            environment["DELIVERY_ROUTES"] = $$"""{"{{Domain}}":"127.0.0.1:{{Provider.Port}}"}""";
            environment["RATE_LIMIT_ENABLED"] = "true";
            environment["RATE_LIMIT_DOMAINS"] = $$$"""{"{{{Domain}}}":{{{limits}}}}""";
            environment["REDIS_URL"] = Redis.Url;
            environment["REDIS_KEY_PREFIX"] = Prefix;
            environment["REDIS_TIMEOUT"] = "1s";
            environment["REPLICAS"] = "2";
            if (adaptive is not null)
            {
                environment["ADAPTIVE_RATE_ENABLED"] = "true";
                environment["ADAPTIVE_RATE_DEFAULTS"] = adaptive;
            }

            return environment;
        }
    }
}
