using System.Net.Sockets;
using MailKit.Security;
using MailRelay.Delivery.Transport;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class RelayingSmtpClientTests
{
    [Fact]
    public async Task A_connection_over_a_given_socket_sends_without_the_Nagle_delay()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour());
        using var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Assert.False(socket.NoDelay);
        await socket.ConnectAsync(server.EndPoint);
        using var client = new RelayingSmtpClient(new NextHop("127.0.0.1", server.EndPoint.Port, HopSecurity.None, null), server.EndPoint);

        await client.ConnectAsync(socket, "127.0.0.1", server.EndPoint.Port, SecureSocketOptions.None);

        Assert.True(client.IsConnected);
        Assert.True(socket.NoDelay);
        await client.DisconnectAsync(quit: true);
    }
}
