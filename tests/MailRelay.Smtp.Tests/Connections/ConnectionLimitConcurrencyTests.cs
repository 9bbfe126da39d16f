using System.Collections.Concurrent;
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
        var refusedBy = new ConcurrentQueue<ConnectionLimitKind>();
        limits.ConnectionRefused += (_, e) => refusedBy.Enqueue(e.Limit);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Sessions held open, so every cap is reached at once: five clients try ten each, 50 attempts
        // against a total cap of 40, so only the per-client cap stops them at six apiece.
        var fromFive = HeldBurst(limits, "127.0.1", clients: 5, each: 10, release.Task);
        var admitted = await fromFive.Admitted;
        for (var client = 0; client < 5; client++)
        {
            Assert.Equal(maxPerClient, admitted.Where((a, i) => a && i % 5 == client).Count());
        }

        // With 30 held, twenty attempts from ten fresh addresses fill the total cap and go no further.
        var fromTen = HeldBurst(limits, "127.0.2", clients: 10, each: 2, release.Task);
        Assert.Equal(maxTotal - (5 * maxPerClient), (await fromTen.Admitted).Count(a => a));
        Assert.Equal(maxTotal, limits.CurrentConnections);
        Assert.Equal(20, refusedBy.Count(k => k == ConnectionLimitKind.PerClient));
        Assert.Equal(10, refusedBy.Count(k => k == ConnectionLimitKind.Total));
        release.SetResult();
        await Task.WhenAll(fromFive.Finished, fromTen.Finished);
        Assert.Equal(0, limits.CurrentConnections);
        Assert.Equal(0, limits.CurrentClientAddresses);

        // Then churn: short sessions, some failing, arriving and leaving at once.
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

    /// <summary>
    /// Starts <paramref name="clients"/> x <paramref name="each"/> connections whose sessions stay open until
    /// <paramref name="release"/>; Admitted completes once every attempt has been admitted or refused.
    /// </summary>
    private static (Task<bool[]> Admitted, Task Finished) HeldBurst(ConnectionLimitMiddleware limits, string network, int clients, int each, Task release)
    {
        var admitted = new List<Task<bool>>();
        var finished = new List<Task>();
        for (var i = 0; i < clients * each; i++)
        {
            var entered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var connection = new InMemoryConnection(new IPEndPoint(IPAddress.Parse($"{network}.{i % clients}"), 1000 + i), IPEndPoint.Parse("127.0.0.1:2525"));
            admitted.Add(entered.Task);
            finished.Add(Task.Run(async () =>
            {
                await limits.InvokeAsync(connection.Context, _ =>
                {
                    entered.TrySetResult(true);
                    return release;
                });
                entered.TrySetResult(false);
            }));
        }

        return (Task.WhenAll(admitted), Task.WhenAll(finished));
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
