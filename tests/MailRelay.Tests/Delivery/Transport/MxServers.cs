using System.Net;
using System.Net.Sockets;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>
/// Fake MX hosts on distinct loopback addresses sharing one port (an MX record cannot carry a port, so
/// the transport connects to them all on the same one): 127.0.0.3 accepts mail, 127.0.0.2 greets with
/// 421, 127.0.0.5 greets with 554, and nothing listens on 127.0.0.4.
/// </summary>
internal sealed class MxServers : IAsyncDisposable
{
    private MxServers(FakeSmtpServer accepting, FakeSmtpServer busy, FakeSmtpServer refusing)
    {
        Accepting = accepting;
        Busy = busy;
        Refusing = refusing;
    }

    public FakeSmtpServer Accepting { get; }

    public FakeSmtpServer Busy { get; }

    public FakeSmtpServer Refusing { get; }

    public int Port => Accepting.EndPoint.Port;

    public static async Task<MxServers> StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var accepting = new FakeSmtpServer(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0), new FakeSmtpBehaviour());
            var port = accepting.EndPoint.Port;
            FakeSmtpServer? busy = null;
            try
            {
                busy = new FakeSmtpServer(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), new FakeSmtpBehaviour { Greeting = "421 4.7.0 Too busy, try later" });
                var refusing = new FakeSmtpServer(new IPEndPoint(IPAddress.Parse("127.0.0.5"), port), new FakeSmtpBehaviour { Greeting = "554 5.7.1 No service for you" });
                return new MxServers(accepting, busy, refusing);
            }
            catch (SocketException) when (attempt < 10)
            {
                // The port is taken on one of the other addresses: try another.
                await accepting.DisposeAsync();
                if (busy is not null)
                {
                    await busy.DisposeAsync();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Accepting.DisposeAsync();
        await Busy.DisposeAsync();
        await Refusing.DisposeAsync();
    }
}
