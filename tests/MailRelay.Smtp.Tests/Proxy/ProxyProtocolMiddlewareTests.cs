using System.Net;
using System.Text;
using MailRelay.Smtp.Net;
using MailRelay.Smtp.Proxy;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>The PROXY middleware in front of a real Kestrel listener, with raw sockets as proxy and clients.</summary>
public class ProxyProtocolMiddlewareTests
{
    private const string Pipelined = "EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n";

    private readonly RecordingLogger _logger = new();

    [Fact]
    public async Task Trusted_proxy_v1_header_source_becomes_the_client_and_following_bytes_arrive_intact()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync("PROXY TCP4 192.0.2.10 198.51.100.20 56324 25\r\n" + Pipelined);
        proxy.FinishSending();

        Assert.Equal("REMOTE 192.0.2.10:56324 LOCAL 198.51.100.20:25\r\n", await proxy.ReadLineAsync());
        Assert.Equal(Pipelined, Encoding.ASCII.GetString(await proxy.ReadToEndAsync()));
        var (remote, feature) = Assert.Single(host.Probe.Seen);
        Assert.Equal(IPEndPoint.Parse("192.0.2.10:56324"), remote);
        var featureRemote = Assert.Single(host.Probe.EndPointFeatureRemotes);
        Assert.True(featureRemote is null || featureRemote.Equals(remote), $"endpoint feature still says {featureRemote}");
        Assert.NotNull(feature);
        Assert.Equal(1, feature.Version);
        Assert.False(feature.IsLocal);
        Assert.True(feature.HasClientAddress);
        Assert.Equal(proxy.LocalEndPoint, feature.ProxyEndPoint);
    }

    [Fact]
    public async Task Trusted_proxy_v2_header_with_TLVs_sent_byte_by_byte_gives_the_IPv6_client()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);
        var header = ProxyHeaders.V2Proxy(
            IPEndPoint.Parse("[2001:db8::10]:40000"),
            IPEndPoint.Parse("[2001:db8:ffff::1]:587"),
            ProxyHeaders.Tlv(0x02, Encoding.ASCII.GetBytes("mail.example.com")),
            ProxyHeaders.Tlv(0x04, new byte[7]));

        foreach (var b in header)
        {
            await proxy.SendAsync([b]);
        }

        await proxy.SendAsync(Pipelined);
        proxy.FinishSending();

        Assert.Equal("REMOTE [2001:db8::10]:40000 LOCAL [2001:db8:ffff::1]:587\r\n", await proxy.ReadLineAsync());
        Assert.Equal(Pipelined, Encoding.ASCII.GetString(await proxy.ReadToEndAsync()));
        Assert.Equal(2, Assert.Single(host.Probe.Seen).Proxy?.Version);
    }

    [Fact]
    public async Task Trusted_proxy_v2_LOCAL_keeps_the_proxy_as_the_client()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync(ProxyHeaders.Concat(ProxyHeaders.V2(0x20, 0x00, []), Encoding.ASCII.GetBytes(Pipelined)));
        proxy.FinishSending();

        Assert.Equal($"REMOTE {proxy.LocalEndPoint} LOCAL {host.EndPoint}\r\n", await proxy.ReadLineAsync());
        Assert.Equal(Pipelined, Encoding.ASCII.GetString(await proxy.ReadToEndAsync()));
        var feature = Assert.Single(host.Probe.Seen).Proxy;
        Assert.NotNull(feature);
        Assert.True(feature.IsLocal);
        Assert.False(feature.HasClientAddress);
    }

    [Fact]
    public async Task Trusted_proxy_v1_UNKNOWN_keeps_the_proxy_as_the_client()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync("PROXY UNKNOWN\r\n" + Pipelined);
        proxy.FinishSending();

        Assert.Equal($"REMOTE {proxy.LocalEndPoint} LOCAL {host.EndPoint}\r\n", await proxy.ReadLineAsync());
        Assert.Equal(Pipelined, Encoding.ASCII.GetString(await proxy.ReadToEndAsync()));
    }

    [Theory]
    [InlineData("EHLO client.example\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.20 056324 25\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 198.51.100.20 1 25\r\n")]
    public async Task Trusted_proxy_with_a_bad_header_is_closed_silently_and_never_reaches_the_handler(string opening)
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync(opening + Pipelined);

        Assert.Empty(await proxy.ReadToEndAsync());
        await host.Completions.WaitForAsync(1);
        Assert.Equal(0, host.Probe.ConnectionsServed);
        Assert.Contains(_logger.Events, e => e.Level == LogLevel.Warning && e.EventId == 3101);
    }

    [Fact]
    public async Task Trusted_proxy_that_closes_mid_header_never_reaches_the_handler()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync("PROXY TCP4 192.0.2.10 ");
        proxy.FinishSending();

        Assert.Empty(await proxy.ReadToEndAsync());
        await host.Completions.WaitForAsync(1);
        Assert.Equal(0, host.Probe.ConnectionsServed);
    }

    [Fact]
    public async Task Trusted_proxy_that_sends_no_complete_header_in_time_is_closed()
    {
        var time = new TimerSignallingTimeProvider();
        await using var host = await StartAsync("127.0.0.1/32", time);
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync("PROXY TCP4 192.0.2.10 ");
        await time.TimerCreated.WaitAsync(TestTimeouts.Guard);
        time.Fake.Advance(ProxyProtocolMiddleware.DefaultHeaderTimeout);

        Assert.Empty(await proxy.ReadToEndAsync());
        await host.Completions.WaitForAsync(1);
        Assert.Equal(0, host.Probe.ConnectionsServed);
        Assert.Contains(_logger.Events, e => e.Level == LogLevel.Warning && e.EventId == 3102);
    }

    [Fact]
    public async Task Trusted_proxy_whose_header_is_still_incomplete_at_the_timeout_is_cut_and_the_cut_reported()
    {
        var time = new TimerSignallingTimeProvider();
        var timedOut = 0;
        await using var host = await StartAsync("127.0.0.1/32", time, () => Interlocked.Increment(ref timedOut));
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        // Pieces well within the timeout of each other; the header as a whole is late. (That a trickle cannot
        // stretch the timeout is shown through the daemon in SlowClientDeadlineTests, where bytes arrive in real time.)
        await proxy.SendAsync("PROXY TCP4 ");
        await time.TimerCreated.WaitAsync(TestTimeouts.Guard);
        time.Fake.Advance(TimeSpan.FromSeconds(2));
        await proxy.SendAsync("192.0.2.10 ");
        time.Fake.Advance(TimeSpan.FromSeconds(2));
        await proxy.SendAsync("198.51.100.20 ");
        time.Fake.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(await proxy.ReadToEndAsync());
        await host.Completions.WaitForAsync(1);
        Assert.Equal(0, host.Probe.ConnectionsServed);
        Assert.Equal(1, Volatile.Read(ref timedOut));
        Assert.Contains(_logger.Events, e => e.Level == LogLevel.Warning && e.EventId == 3102);
    }

    [Fact]
    public async Task Trusted_proxy_that_completes_its_header_just_within_the_timeout_is_served()
    {
        var time = new TimerSignallingTimeProvider();
        await using var host = await StartAsync("127.0.0.1/32", time);
        using var proxy = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);

        await proxy.SendAsync("PROXY TCP4 192.0.2.10 ");
        await time.TimerCreated.WaitAsync(TestTimeouts.Guard);
        time.Fake.Advance(ProxyProtocolMiddleware.DefaultHeaderTimeout - TimeSpan.FromMilliseconds(1));
        await proxy.SendAsync("198.51.100.20 56324 25\r\n");

        Assert.Equal("REMOTE 192.0.2.10:56324 LOCAL 198.51.100.20:25\r\n", await proxy.ReadLineAsync());
    }

    [Fact]
    public async Task Untrusted_peer_header_is_ordinary_data_and_its_real_address_is_kept()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var client = await LoopbackClient.ConnectAsync("127.0.0.2", host.EndPoint);
        const string forged = "PROXY TCP4 127.0.0.1 127.0.0.1 40000 25\r\n";

        await client.SendAsync(forged + Pipelined);
        client.FinishSending();

        Assert.Equal($"REMOTE {client.LocalEndPoint} LOCAL {host.EndPoint}\r\n", await client.ReadLineAsync());
        Assert.Equal(forged + Pipelined, Encoding.ASCII.GetString(await client.ReadToEndAsync()));
        var (remote, feature) = Assert.Single(host.Probe.Seen);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), ((IPEndPoint)remote!).Address);
        Assert.Null(feature);
    }

    [Fact]
    public async Task Untrusted_peer_v2_header_is_ordinary_data()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var client = await LoopbackClient.ConnectAsync("127.0.0.3", host.EndPoint);
        var forged = ProxyHeaders.V2Proxy(IPEndPoint.Parse("127.0.0.1:40000"), IPEndPoint.Parse("127.0.0.1:25"));

        await client.SendAsync(forged);
        client.FinishSending();

        Assert.Equal($"REMOTE {client.LocalEndPoint} LOCAL {host.EndPoint}\r\n", await client.ReadLineAsync());
        Assert.Equal(forged, await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Untrusted_peer_without_a_header_is_served_directly()
    {
        await using var host = await StartAsync("127.0.0.1/32");
        using var client = await LoopbackClient.ConnectAsync("127.0.0.2", host.EndPoint);

        await client.SendAsync(Pipelined);
        client.FinishSending();

        Assert.Equal($"REMOTE {client.LocalEndPoint} LOCAL {host.EndPoint}\r\n", await client.ReadLineAsync());
        Assert.Equal(Pipelined, Encoding.ASCII.GetString(await client.ReadToEndAsync()));
    }

    private Task<KestrelTestHost> StartAsync(string trustedProxies, TimeProvider? time = null, Action? onHeaderTimeout = null)
    {
        var middleware = new ProxyProtocolMiddleware(
            NetworkList.Parse(trustedProxies),
            ProxyProtocolMiddleware.DefaultHeaderTimeout,
            time ?? TimeProvider.System,
            _logger);
        if (onHeaderTimeout is not null)
        {
            middleware.HeaderTimedOut += (_, _) => onHeaderTimeout();
        }
        return KestrelTestHost.StartAsync(listen => listen.Use(middleware.OnConnection));
    }
}
