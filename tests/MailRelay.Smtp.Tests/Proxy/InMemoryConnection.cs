using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>A connection over in-memory pipes, for peer addresses that loopback sockets cannot produce.</summary>
internal sealed class InMemoryConnection
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public InMemoryConnection(EndPoint remote, EndPoint local)
    {
        Context = new DefaultConnectionContext(
            Guid.NewGuid().ToString("N"),
            new DuplexPipe(_toServer.Reader, _toClient.Writer),
            new DuplexPipe(_toClient.Reader, _toServer.Writer))
        {
            RemoteEndPoint = remote,
            LocalEndPoint = local,
        };
    }

    public DefaultConnectionContext Context { get; }

    /// <summary>Sends bytes from the client and closes the client's side.</summary>
    public async Task SendAndFinishAsync(byte[] data)
    {
        await _toServer.Writer.WriteAsync(data);
        await _toServer.Writer.CompleteAsync();
    }

    /// <summary>Everything the server wrote, once it has completed its output.</summary>
    public async Task<byte[]> ReadAllSentAsync()
    {
        using var buffer = new MemoryStream();
        while (true)
        {
            var read = await _toClient.Reader.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                buffer.Write(segment.Span);
            }

            _toClient.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return buffer.ToArray();
            }
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
