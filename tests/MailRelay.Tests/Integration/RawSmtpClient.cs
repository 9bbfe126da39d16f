using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRelay.Tests.Integration;

/// <summary>A byte-exact SMTP client for tests that need what MailKit will not send (forged headers, odd bytes).</summary>
internal sealed class RawSmtpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawSmtpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.Latin1);
    }

    /// <summary>Connects from <paramref name="localAddress"/> (any 127.x address works on Linux) to the server.</summary>
    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint server, IPAddress? localAddress = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (localAddress is not null)
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
        }

        await socket.ConnectAsync(server);
        return new RawSmtpClient(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one whole reply (all its lines); null when the server closed the connection.</summary>
    public async Task<string?> ReadReplyAsync()
    {
        var builder = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null)
            {
                return builder.Length == 0 ? null : builder.ToString();
            }

            builder.Append(line).Append('\n');
            if (line.Length < 4 || line[3] != '-')
            {
                return builder.ToString().TrimEnd('\n');
            }
        }
    }

    /// <summary>Sends a command line and returns the reply.</summary>
    public async Task<string?> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>True once the server has closed its side (read returns end of stream).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
