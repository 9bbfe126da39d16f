using MailRelay.Tests.Integration;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailRelay.Tests.Hosting;

/// <summary>How the daemon's listeners pass a connection's bytes between the socket and its session.</summary>
public sealed class SocketTransportTests
{
    [Fact]
    public async Task Sessions_run_on_the_thread_that_received_their_bytes_and_replies_are_sent_by_the_thread_that_flushed_them()
    {
        await using var relay = await InProcessRelay.StartAsync();

        var sockets = relay.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.True(sockets.UnsafePreferInlineScheduling);
    }
}
