using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailRelay.Smtp.Net;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>Trust decisions for peers as a dual-stack or IPv6 socket reports them.</summary>
public class ProxyProtocolAddressFamilyTests
{
    private const string Header = "PROXY TCP4 192.0.2.10 198.51.100.20 56324 25\r\n";

    [Theory]
    [InlineData("127.0.0.1/32", "[::ffff:127.0.0.1]:5000", "192.0.2.10:56324")]
    [InlineData("127.0.0.1/32", "[::ffff:127.0.0.2]:5000", "[::ffff:127.0.0.2]:5000")]
    [InlineData("::1/128", "[::1]:5000", "192.0.2.10:56324")]
    [InlineData("127.0.0.0/8", "[::1]:5000", "[::1]:5000")]
    public async Task Peer_is_trusted_by_its_address_in_either_family(string trusted, string peer, string expectedClient)
    {
        var middleware = new ProxyProtocolMiddleware(
            NetworkList.Parse(trusted), ProxyProtocolMiddleware.DefaultHeaderTimeout, TimeProvider.System, new RecordingLogger());
        var connection = new InMemoryConnection(IPEndPoint.Parse(peer), IPEndPoint.Parse("[::ffff:127.0.0.1]:2525"));
        EndPoint? seen = null;
        var dataSeen = string.Empty;

        await connection.SendAndFinishAsync(Encoding.ASCII.GetBytes(Header + "QUIT\r\n"));
        await middleware.InvokeAsync(connection.Context, async ctx =>
        {
            seen = ctx.RemoteEndPoint;
            var read = await ctx.Transport.Input.ReadAsync();
            while (!read.IsCompleted)
            {
                ctx.Transport.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await ctx.Transport.Input.ReadAsync();
            }

            dataSeen = Encoding.ASCII.GetString(read.Buffer.ToArray());
        });

        Assert.Equal(IPEndPoint.Parse(expectedClient), seen);
        var headerWasBelieved = expectedClient != peer;
        Assert.Equal(headerWasBelieved ? "QUIT\r\n" : Header + "QUIT\r\n", dataSeen);
    }

    [Fact]
    public void Middleware_refuses_a_timeout_that_is_not_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProxyProtocolMiddleware(
            NetworkList.Empty, TimeSpan.Zero, TimeProvider.System, new RecordingLogger()));
    }

    [Fact]
    public async Task Non_IP_peer_passes_through_untouched()
    {
        var middleware = new ProxyProtocolMiddleware(
            NetworkList.Parse("0.0.0.0/0,::/0"), ProxyProtocolMiddleware.DefaultHeaderTimeout, TimeProvider.System, new RecordingLogger());
        var connection = new InMemoryConnection(new UnixDomainSocketEndPoint("/tmp/peer.sock"), new UnixDomainSocketEndPoint("/tmp/server.sock"));
        var called = false;

        await middleware.InvokeAsync(connection.Context, ctx =>
        {
            called = ctx.Features.Get<IProxyProtocolFeature>() is null;
            return Task.CompletedTask;
        });

        Assert.True(called);
    }
}
