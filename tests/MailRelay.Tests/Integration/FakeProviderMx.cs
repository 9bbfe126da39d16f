using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A mail provider with a hidden rate limit, for pacing tests: one or more MX hosts (loopback addresses sharing one
/// port) in front of one shared budget of <c>messagesPerWindow</c> transactions in any sliding window. A MAIL FROM
/// over the budget is answered <c>421 4.7.28 … rate limited, try again later</c> and the connection is closed, as
/// 421 means. It records every connection, the most connections ever open at once, every accepted message and the
/// arrival time of every MAIL FROM. It can answer the greeting and EHLO slowly, as a distant or busy host does.
/// </summary>
internal sealed class FakeProviderMx : IAsyncDisposable
{
    public const string RateLimitedReply = "421 4.7.28 mx.fakeprovider.test Our system has detected an unusual rate of mail, rate limited, try again later";

    private readonly List<TcpListener> _listeners;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<DateTimeOffset> _admissions = new();
    private readonly List<Task> _tasks = [];

    /// <summary>Raised after every change: a connection opened or closed, a message accepted, a 421 given.</summary>
    private readonly ChangeSignal _changed = new();
    private int _nextConnection;
    private int _open;
    private int _maxOpen;
    private int _rateLimitedReplies;

    private FakeProviderMx(
        List<TcpListener> listeners, int messagesPerWindow, TimeSpan window, TimeSpan dataLatency, TimeSpan greetingLatency, TimeProvider time)
    {
        _listeners = listeners;
        MessagesPerWindow = messagesPerWindow;
        Window = window;
        DataLatency = dataLatency;
        GreetingLatency = greetingLatency;
        _time = time;
        Port = ((IPEndPoint)listeners[0].LocalEndpoint).Port;
        lock (_tasks)
        {
            _tasks.AddRange(listeners.Select(AcceptAsync));
        }
    }

    public int Port { get; }

    public int MessagesPerWindow { get; }

    public TimeSpan Window { get; }

    /// <summary>How long the provider takes to answer the final dot (a real provider is not instant).</summary>
    public TimeSpan DataLatency { get; }

    /// <summary>How long the provider waits before its 220 greeting and again before its EHLO reply: a slow connection setup.</summary>
    public TimeSpan GreetingLatency { get; }

    /// <summary>When each MAIL FROM line arrived: the provider's clock read the moment the kernel handed its bytes over.</summary>
    public ConcurrentQueue<DateTimeOffset> MailFromArrivals { get; } = new();

    public ConcurrentQueue<FakeProviderMessage> Accepted { get; } = new();

    public ConcurrentQueue<FakeProviderConnection> Connections { get; } = new();

    public int MaxConcurrentConnections => Volatile.Read(ref _maxOpen);

    /// <summary>Connections open now (a session that received QUIT counts as closed).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public int RateLimitedReplies => Volatile.Read(ref _rateLimitedReplies);

    /// <summary>
    /// Listens on every address of <paramref name="hosts"/> at one port (an MX record cannot carry a port). Port 0 lets
    /// the kernel choose one free on all of them; a daemon that connects to MX hosts on port 25 needs 25 (and root).
    /// </summary>
    public static FakeProviderMx Start(
        IReadOnlyList<IPAddress> hosts,
        int port,
        int messagesPerWindow,
        TimeSpan window,
        TimeSpan dataLatency,
        TimeProvider time,
        TimeSpan greetingLatency = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(hosts.Count);
        var listeners = new List<TcpListener>();
        try
        {
            foreach (var host in hosts)
            {
                var listener = new TcpListener(host, port);
                listener.Start();
                listeners.Add(listener);
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
        }
        catch
        {
            listeners.ForEach(l => l.Stop());
            throw;
        }

        return new FakeProviderMx(listeners, messagesPerWindow, window, dataLatency, greetingLatency, time);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, re-checking after every change.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan limit) => _changed.WaitUntilAsync(condition, limit);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listeners.ForEach(l => l.Stop());
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks);
        _stop.Dispose();
    }

    /// <summary>Takes one transaction from the shared budget, or says the sender is over it.</summary>
    internal bool TryAdmit()
    {
        var now = _time.GetUtcNow();
        lock (_admissions)
        {
            while (_admissions.Count > 0 && _admissions.Peek() <= now - Window)
            {
                _admissions.Dequeue();
            }

            if (_admissions.Count >= MessagesPerWindow)
            {
                return false;
            }

            _admissions.Enqueue(now);
            return true;
        }
    }

    internal void OnMailFrom(DateTimeOffset arrivedAt)
    {
        MailFromArrivals.Enqueue(arrivedAt);
        _changed.Raise();
    }

    internal void OnRateLimited(FakeProviderConnection connection)
    {
        connection.MarkRateLimited();
        Interlocked.Increment(ref _rateLimitedReplies);
        _changed.Raise();
    }

    internal void OnAccepted(FakeProviderConnection connection, string[] recipients, byte[] content)
    {
        connection.CountAccepted();
        Accepted.Enqueue(new FakeProviderMessage(connection.Id, _time.GetUtcNow(), recipients, content));
        _changed.Raise();
    }

    /// <summary>Counted when the session decides to end, before its last reply, so the client never sees it open.</summary>
    internal void OnClosing()
    {
        Interlocked.Decrement(ref _open);
        _changed.Raise();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var open = Interlocked.Increment(ref _open);
            for (var max = Volatile.Read(ref _maxOpen); open > max; max = Volatile.Read(ref _maxOpen))
            {
                if (Interlocked.CompareExchange(ref _maxOpen, open, max) == max)
                {
                    break;
                }
            }

            var connection = new FakeProviderConnection(Interlocked.Increment(ref _nextConnection), (IPEndPoint)socket.LocalEndPoint!);
            Connections.Enqueue(connection);
            _changed.Raise();
            lock (_tasks)
            {
                _tasks.Add(RunSessionAsync(socket, connection));
            }
        }
    }

    /// <summary>Ends a session's blocked read when the provider stops.</summary>
    private static void Unblock(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private async Task RunSessionAsync(Socket socket, FakeProviderConnection connection)
    {
        using (socket)
        {
            await using var stream = new ReceiveClockStream(socket);
            await using var stop = _stop.Token.Register(() => Unblock(socket));
            await new FakeProviderSession(this, connection, stream).RunAsync(_stop.Token);
        }
    }
}
