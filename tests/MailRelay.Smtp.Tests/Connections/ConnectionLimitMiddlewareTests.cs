using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MailRelay.Smtp.Connections;
using MailRelay.Smtp.Net;
using MailRelay.Smtp.Proxy;
using MailRelay.Smtp.Tests.Proxy;

namespace MailRelay.Smtp.Tests.Connections;

/// <summary>Session caps over real loopback sockets, with clients on distinct 127/8 addresses.</summary>
public class ConnectionLimitMiddlewareTests
{
    private const string TotalRefusal = "421 4.7.0 mx.test.example Too many connections, try again later\r\n";
    private const string PerClientRefusal = "421 4.7.0 mx.test.example Too many connections from your address, try again later\r\n";

    private readonly ConcurrentQueue<ConnectionRefusedEventArgs> _refusals = new();

    [Fact]
    public async Task Total_cap_refuses_the_next_connection_with_421_and_counts_return_to_zero()
    {
        var limits = CreateLimits(maxConnections: 2, maxPerClient: 0);
        await using var host = await KestrelTestHost.StartAsync(listen => listen.Use(limits.OnConnection));

        using var first = await AdmittedAsync("127.0.0.2", host);
        using var second = await AdmittedAsync("127.0.0.3", host);
        Assert.Equal(2, limits.CurrentConnections);
        Assert.Equal(2, limits.CurrentClientAddresses);

        using (var third = await LoopbackClient.ConnectAsync("127.0.0.2", host.EndPoint))
        {
            Assert.Equal(TotalRefusal, Encoding.ASCII.GetString(await third.ReadToEndAsync()));
        }

        await host.Completions.WaitForAsync(1);
        Assert.Equal(2, host.Probe.ConnectionsServed);
        var refusal = Assert.Single(_refusals);
        Assert.Equal(ConnectionLimitKind.Total, refusal.Limit);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), refusal.ClientAddress);
        Assert.Equal(2, limits.CurrentConnections);

        first.FinishSending();
        second.FinishSending();
        await host.Completions.WaitForAsync(2);
        Assert.Equal(0, limits.CurrentConnections);
        Assert.Equal(0, limits.CurrentClientAddresses);
    }

    [Fact]
    public async Task Per_client_cap_refuses_only_that_address_and_frees_its_slot_on_close()
    {
        var limits = CreateLimits(maxConnections: 0, maxPerClient: 1);
        await using var host = await KestrelTestHost.StartAsync(listen => listen.Use(limits.OnConnection));

        var first = await AdmittedAsync("127.0.0.2", host);
        using (var again = await LoopbackClient.ConnectAsync("127.0.0.2", host.EndPoint))
        {
            Assert.Equal(PerClientRefusal, Encoding.ASCII.GetString(await again.ReadToEndAsync()));
        }

        using var other = await AdmittedAsync("127.0.0.3", host);
        Assert.Equal(1, limits.GetConnectionCount(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(1, limits.GetConnectionCount(IPAddress.Parse("::ffff:127.0.0.3")));
        Assert.Equal(ConnectionLimitKind.PerClient, Assert.Single(_refusals).Limit);

        first.FinishSending();
        Assert.Empty(await first.ReadToEndAsync());
        first.Dispose();
        await host.Completions.WaitForAsync(2);
        Assert.Equal(0, limits.GetConnectionCount(IPAddress.Parse("127.0.0.2")));

        using var afterwards = await AdmittedAsync("127.0.0.2", host);
        Assert.Equal(2, limits.CurrentConnections);

        other.FinishSending();
        afterwards.FinishSending();
        await host.Completions.WaitForAsync(2);
        Assert.Equal(0, limits.CurrentConnections);
        Assert.Equal(0, limits.CurrentClientAddresses);
    }

    [Fact]
    public async Task Per_client_cap_counts_the_real_client_behind_a_trusted_proxy()
    {
        var limits = CreateLimits(maxConnections: 0, maxPerClient: 1);
        var proxy = new ProxyProtocolMiddleware(
            NetworkList.Parse("127.0.0.1/32"), ProxyProtocolMiddleware.DefaultHeaderTimeout, TimeProvider.System, new RecordingLogger());
        await using var host = await KestrelTestHost.StartAsync(listen =>
        {
            listen.Use(proxy.OnConnection);
            listen.Use(limits.OnConnection);
        });

        using var clientA = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);
        await clientA.SendAsync("PROXY TCP4 192.0.2.10 198.51.100.20 40000 25\r\n");
        Assert.StartsWith("REMOTE 192.0.2.10:40000 ", await clientA.ReadLineAsync(), StringComparison.Ordinal);

        using var clientB = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint);
        await clientB.SendAsync("PROXY TCP4 192.0.2.11 198.51.100.20 40000 25\r\n");
        Assert.StartsWith("REMOTE 192.0.2.11:40000 ", await clientB.ReadLineAsync(), StringComparison.Ordinal);

        using (var clientAAgain = await LoopbackClient.ConnectAsync("127.0.0.1", host.EndPoint))
        {
            await clientAAgain.SendAsync("PROXY TCP4 192.0.2.10 198.51.100.20 40001 25\r\n");
            Assert.Equal(PerClientRefusal, Encoding.ASCII.GetString(await clientAAgain.ReadToEndAsync()));
        }

        Assert.Equal(IPAddress.Parse("192.0.2.10"), Assert.Single(_refusals).ClientAddress);
        Assert.Equal(1, limits.GetConnectionCount(IPAddress.Parse("192.0.2.10")));
        Assert.Equal(0, limits.GetConnectionCount(IPAddress.Loopback));
    }

    [Fact]
    public async Task Zero_means_unlimited()
    {
        var limits = CreateLimits(maxConnections: 0, maxPerClient: 0);
        await using var host = await KestrelTestHost.StartAsync(listen => listen.Use(limits.OnConnection));

        var clients = new List<LoopbackClient>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await AdmittedAsync("127.0.0.2", host));
        }

        Assert.Equal(20, limits.CurrentConnections);
        Assert.Equal(20, limits.GetConnectionCount(IPAddress.Parse("127.0.0.2")));
        Assert.Empty(_refusals);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await host.Completions.WaitForAsync(20);
        Assert.Equal(0, limits.CurrentConnections);
    }

    private static async Task<LoopbackClient> AdmittedAsync(string fromAddress, KestrelTestHost host)
    {
        var client = await LoopbackClient.ConnectAsync(fromAddress, host.EndPoint);
        var line = await client.ReadLineAsync();
        Assert.Equal($"REMOTE {client.LocalEndPoint} LOCAL {host.EndPoint}\r\n", line);
        return client;
    }

    private ConnectionLimitMiddleware CreateLimits(int maxConnections, int maxPerClient)
    {
        var limits = new ConnectionLimitMiddleware(maxConnections, maxPerClient, "mx.test.example", new RecordingLogger());
        limits.ConnectionRefused += (_, e) => _refusals.Enqueue(e);
        return limits;
    }
}
