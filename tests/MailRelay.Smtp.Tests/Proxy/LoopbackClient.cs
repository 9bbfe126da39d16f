using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>A raw TCP client bound to a chosen 127/8 address, so tests can play distinct peers on loopback.</summary>
internal sealed class LoopbackClient : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];

    private LoopbackClient(Socket socket)
    {
        _socket = socket;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public static async Task<LoopbackClient> ConnectAsync(string fromAddress, IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(IPAddress.Parse(fromAddress), 0));
        using var guard = new CancellationTokenSource(TestTimeouts.Guard);
        await socket.ConnectAsync(server, guard.Token);
        return new LoopbackClient(socket);
    }

    public async Task SendAsync(byte[] data) => await _socket.SendAsync(data, SocketFlags.None);

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Tells the server no more data is coming (FIN), keeping the receive side open.</summary>
    public void FinishSending() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one CRLF-terminated line, or returns null when the server closed first.</summary>
    public async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            for (var i = 1; i < _pending.Count; i++)
            {
                if (_pending[i - 1] == '\r' && _pending[i] == '\n')
                {
                    var line = Encoding.ASCII.GetString([.. _pending.Take(i + 1)]);
                    _pending.RemoveRange(0, i + 1);
                    return line;
                }
            }

            if (!await ReceiveMoreAsync())
            {
                return null;
            }
        }
    }

    /// <summary>Everything the server sends until it closes (a reset counts as a close).</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        while (await ReceiveMoreAsync())
        {
        }

        var all = _pending.ToArray();
        _pending.Clear();
        return all;
    }

    public void Dispose() => _socket.Dispose();

    private async Task<bool> ReceiveMoreAsync()
    {
        var buffer = new byte[4096];
        using var guard = new CancellationTokenSource(TestTimeouts.Guard);
        int received;
        try
        {
            received = await _socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return false;
        }

        _pending.AddRange(buffer.Take(received));
        return received > 0;
    }
}
