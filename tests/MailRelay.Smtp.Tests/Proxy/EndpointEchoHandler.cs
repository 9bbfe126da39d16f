using System.Buffers;
using System.Text;
using MailRelay.Smtp.Proxy;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>
/// Stands in for the SMTP handler: writes one line naming the endpoints it was given, then echoes every
/// byte it receives until the client closes, so a test sees both what the handler believed and what data reached it.
/// </summary>
internal sealed class EndpointEchoHandler : ConnectionHandler
{
    private readonly HandlerProbe _probe;

    public EndpointEchoHandler(HandlerProbe probe)
    {
        _probe = probe;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        _probe.Record(
            connection.RemoteEndPoint,
            connection.Features.Get<IProxyProtocolFeature>(),
            connection.Features.Get<IConnectionEndPointFeature>()?.RemoteEndPoint);
        var output = connection.Transport.Output;
        await output.WriteAsync(Encoding.ASCII.GetBytes($"REMOTE {connection.RemoteEndPoint} LOCAL {connection.LocalEndPoint}\r\n"));

        var input = connection.Transport.Input;
        while (true)
        {
            var read = await input.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                output.Write(segment.Span);
            }

            input.AdvanceTo(read.Buffer.End);
            await output.FlushAsync();
            if (read.IsCompleted)
            {
                return;
            }
        }
    }
}
