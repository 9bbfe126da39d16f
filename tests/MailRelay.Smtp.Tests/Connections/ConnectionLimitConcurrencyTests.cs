using System.Net;
using MailRelay.Smtp.Connections;
using MailRelay.Smtp.Tests.Proxy;

namespace MailRelay.Smtp.Tests.Connections;

/// <summary>The caps hold, and the counters balance, when many connections arrive and leave at once.</summary>
public class ConnectionLimitConcurrencyTests
{
    [Fact]
    public async Task Caps_hold_and_counters_balance_under_parallel_connections()
    {
        const int maxTotal = 40;
        const int maxPerClient = 6;
        var limits = new ConnectionLimitMiddleware(maxTotal, maxPerClient, "mx.test.example", new RecordingLogger());
        var refusals = 0;
        limits.ConnectionRefused += (_, _) => Interlocked.Increment(ref refusals);
        var inSession = 0;
        var peakTotal = 0;
        var perClientInSession = new int[10];
        var peakPerClient = 0;
        var served = 0;

        async Task Session(int client, int index)
        {
            var now = Interlocked.Increment(ref inSession);
            InterlockedMax(ref peakTotal, now);
            InterlockedMax(ref peakPerClient, Interlocked.Increment(ref perClientInSession[client]));
            Interlocked.Increment(ref served);
            await Task.Yield();
            Interlocked.Decrement(ref perClientInSession[client]);
            Interlocked.Decrement(ref inSession);
            if (index % 7 == 0)
            {
                throw new InvalidOperationException("session failed");
            }
        }

        var connections = Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
        {
            var client = i % perClientInSession.Length;
            var connection = new InMemoryConnection(new IPEndPoint(IPAddress.Parse($"127.0.1.{client}"), 1000 + i), IPEndPoint.Parse("127.0.0.1:2525"));
            try
            {
                await limits.InvokeAsync(connection.Context, _ => Session(client, i));
            }
            catch (InvalidOperationException)
            {
            }
        }));
        await Task.WhenAll(connections);

        Assert.InRange(peakTotal, 1, maxTotal);
        Assert.InRange(peakPerClient, 1, maxPerClient);
        Assert.Equal(2000, served + refusals);
        Assert.Equal(0, limits.CurrentConnections);
        Assert.Equal(0, limits.CurrentClientAddresses);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
