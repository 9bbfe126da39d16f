using System.Net;
using System.Text;
using MailRelay.Smtp.Connections;
using MailRelay.Smtp.Tests.Proxy;

namespace MailRelay.Smtp.Tests.Connections;

/// <summary>Counter bookkeeping on in-memory connections: released exactly once, whatever the session does.</summary>
public class ConnectionLimitCountingTests
{
    private static readonly IPEndPoint Server = IPEndPoint.Parse("127.0.0.1:2525");

    [Fact]
    public async Task Counters_are_released_when_the_session_throws()
    {
        var limits = new ConnectionLimitMiddleware(1, 1, "mx.test.example", new RecordingLogger());
        var connection = new InMemoryConnection(IPEndPoint.Parse("127.0.0.2:5000"), Server);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => limits.InvokeAsync(connection.Context, _ =>
        {
            Assert.Equal(1, limits.CurrentConnections);
            throw new InvalidOperationException("session failed");
        }));

        Assert.Equal("session failed", thrown.Message);
        Assert.Equal(0, limits.CurrentConnections);
        Assert.Equal(0, limits.CurrentClientAddresses);
    }

    [Fact]
    public async Task Refused_connection_does_not_touch_the_counters_or_the_session()
    {
        var limits = new ConnectionLimitMiddleware(1, 0, "mx.test.example", new RecordingLogger());
        var admittedRelease = new TaskCompletionSource();
        var admittedRunning = new TaskCompletionSource();
        var admitted = limits.InvokeAsync(new InMemoryConnection(IPEndPoint.Parse("127.0.0.2:5000"), Server).Context, async _ =>
        {
            admittedRunning.SetResult();
            await admittedRelease.Task;
        });
        await admittedRunning.Task;
        var refused = new InMemoryConnection(IPEndPoint.Parse("[::ffff:127.0.0.3]:5000"), Server);
        var sessionRan = false;

        await limits.InvokeAsync(refused.Context, _ =>
        {
            sessionRan = true;
            return Task.CompletedTask;
        });
        await refused.Context.Transport.Output.CompleteAsync();

        Assert.False(sessionRan);
        Assert.Equal("421 4.7.0 mx.test.example Too many connections, try again later\r\n", Encoding.ASCII.GetString(await refused.ReadAllSentAsync()));
        Assert.Equal(1, limits.CurrentConnections);
        admittedRelease.SetResult();
        await admitted;
        Assert.Equal(0, limits.CurrentConnections);
    }

    [Fact]
    public async Task IPv4_mapped_and_plain_IPv4_are_one_client()
    {
        var limits = new ConnectionLimitMiddleware(0, 1, "mx.test.example", new RecordingLogger());
        var release = new TaskCompletionSource();
        var running = new TaskCompletionSource();
        var first = limits.InvokeAsync(new InMemoryConnection(IPEndPoint.Parse("127.0.0.2:5000"), Server).Context, async _ =>
        {
            running.SetResult();
            await release.Task;
        });
        await running.Task;
        var mapped = new InMemoryConnection(IPEndPoint.Parse("[::ffff:127.0.0.2]:5001"), Server);

        await limits.InvokeAsync(mapped.Context, _ => Task.CompletedTask);
        await mapped.Context.Transport.Output.CompleteAsync();

        Assert.StartsWith("421 4.7.0 ", Encoding.ASCII.GetString(await mapped.ReadAllSentAsync()), StringComparison.Ordinal);
        release.SetResult();
        await first;
        Assert.Equal(0, limits.CurrentClientAddresses);
    }

    [Theory]
    [InlineData(-1, 0, "mx.test.example")]
    [InlineData(0, -1, "mx.test.example")]
    [InlineData(0, 0, " ")]
    public void Constructor_refuses_nonsense(int maxConnections, int maxPerClient, string hostName)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ConnectionLimitMiddleware(maxConnections, maxPerClient, hostName, new RecordingLogger()));
    }
}
