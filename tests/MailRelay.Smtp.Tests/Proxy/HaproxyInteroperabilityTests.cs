using System.Net;
using MailRelay.Smtp.Net;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>
/// haproxy's own PROXY header senders in front of the middleware: the client connects from 127.0.0.3
/// to haproxy on 127.0.0.1, haproxy connects to Kestrel from 127.0.0.1 (the trusted proxy), and the
/// handler must see 127.0.0.3 and the client's port.
/// </summary>
public class HaproxyInteroperabilityTests
{
    [Theory]
    [InlineData("send-proxy", 1)]
    [InlineData("send-proxy-v2", 2)]
    public async Task Handler_sees_the_client_behind_haproxy(string sendProxyOption, int expectedVersion)
    {
        var middleware = new ProxyProtocolMiddleware(
            NetworkList.Parse("127.0.0.1/32"), ProxyProtocolMiddleware.DefaultHeaderTimeout, TimeProvider.System, new RecordingLogger());
        await using var host = await KestrelTestHost.StartAsync(listen => listen.Use(middleware.OnConnection));
        await using var haproxy = await HaproxyProcess.StartAsync(host.EndPoint, sendProxyOption);
        var frontend = haproxy.Frontends[sendProxyOption];
        using var client = await LoopbackClient.ConnectAsync("127.0.0.3", frontend);

        var line = await client.ReadLineAsync();
        await client.SendAsync("EHLO client.example\r\n");

        Assert.True(line is not null, $"the connection through haproxy closed without a reply\n{haproxy.Output}");
        Assert.Equal($"REMOTE {client.LocalEndPoint} LOCAL {frontend}\r\n", line);
        Assert.Equal("EHLO client.example\r\n", await client.ReadLineAsync());
        var (remote, feature) = Assert.Single(host.Probe.Seen);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), ((IPEndPoint)remote!).Address);
        Assert.NotNull(feature);
        Assert.Equal(expectedVersion, feature.Version);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)feature.ProxyEndPoint!).Address);
    }

    [Fact]
    public async Task Haproxy_header_to_a_listener_that_does_not_trust_it_is_plain_data()
    {
        var middleware = new ProxyProtocolMiddleware(
            NetworkList.Parse("127.0.0.9/32"), ProxyProtocolMiddleware.DefaultHeaderTimeout, TimeProvider.System, new RecordingLogger());
        await using var host = await KestrelTestHost.StartAsync(listen => listen.Use(middleware.OnConnection));
        await using var haproxy = await HaproxyProcess.StartAsync(host.EndPoint, "send-proxy");
        using var client = await LoopbackClient.ConnectAsync("127.0.0.3", haproxy.Frontends["send-proxy"]);

        var line = await client.ReadLineAsync();
        var echoedHeader = await client.ReadLineAsync();

        Assert.NotNull(line);
        Assert.StartsWith("REMOTE 127.0.0.1:", line, StringComparison.Ordinal);
        Assert.StartsWith("PROXY TCP4 127.0.0.3 127.0.0.1 ", echoedHeader, StringComparison.Ordinal);
        Assert.Null(Assert.Single(host.Probe.Seen).Proxy);
    }
}
