using System.Net;
using System.Text;
using MailRelay.Smtp.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Connections;

/// <summary>
/// Caps concurrent SMTP sessions in total and per client address, answering <c>421 4.7.0</c> and closing
/// when a cap is reached (Kestrel's own limit closes silently and counts per bound address). One
/// instance holds the counters: give the same instance to every SMTP listener so the total spans them
/// all, and put it after the PROXY middleware so the per-client count uses the real client address.
/// Use: <c>listen.Use(next =&gt; middleware.OnConnection(next))</c>.
/// </summary>
public sealed partial class ConnectionLimitMiddleware
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private readonly ReadOnlyMemory<byte> _totalReply;
    private readonly ReadOnlyMemory<byte> _perClientReply;
    private readonly ILogger _logger;
    private int _current;

    /// <param name="maxConnections">Concurrent sessions over all listeners; 0 = unlimited.</param>
    /// <param name="maxConnectionsPerClient">Concurrent sessions from one client address; 0 = unlimited.</param>
    /// <param name="hostName">The server's name, as in the greeting.</param>
    public ConnectionLimitMiddleware(int maxConnections, int maxConnectionsPerClient, string hostName, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnections);
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnectionsPerClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(hostName);
        ArgumentNullException.ThrowIfNull(logger);
        MaxConnections = maxConnections;
        MaxConnectionsPerClient = maxConnectionsPerClient;
        _logger = logger;
        _totalReply = Encoding.ASCII.GetBytes(
            new SmtpReply(421, "4.7.0", $"{hostName} Too many connections, try again later").ToWireString());
        _perClientReply = Encoding.ASCII.GetBytes(
            new SmtpReply(421, "4.7.0", $"{hostName} Too many connections from your address, try again later").ToWireString());
    }

    /// <summary>Raised (on the connection's thread) for every refused connection.</summary>
    public event EventHandler<ConnectionRefusedEventArgs>? ConnectionRefused;

    public int MaxConnections { get; }

    public int MaxConnectionsPerClient { get; }

    /// <summary>Sessions admitted and not yet ended, over every listener sharing this instance.</summary>
    public int CurrentConnections
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Distinct client addresses with at least one admitted session.</summary>
    public int CurrentClientAddresses
    {
        get
        {
            lock (_gate)
            {
                return _perClient.Count;
            }
        }
    }

    /// <summary>Admitted sessions from one address (IPv4-mapped IPv6 counts as IPv4).</summary>
    public int GetConnectionCount(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            return _perClient.GetValueOrDefault(Normalize(address));
        }
    }

    /// <summary>The shape Kestrel's <c>ListenOptions.Use</c> wants.</summary>
    public ConnectionDelegate OnConnection(ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return connection => InvokeAsync(connection, next);
    }

    public async Task InvokeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);

        var client = connection.RemoteEndPoint is IPEndPoint ip ? Normalize(ip.Address) : null;
        var refusal = TryAdmit(client);
        if (refusal is { } limit)
        {
            await RefuseAsync(connection, client, limit);
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Release(client);
        }
    }

    private ConnectionLimitKind? TryAdmit(IPAddress? client)
    {
        lock (_gate)
        {
            if (MaxConnections > 0 && _current >= MaxConnections)
            {
                return ConnectionLimitKind.Total;
            }

            var fromClient = client is null ? 0 : _perClient.GetValueOrDefault(client);
            if (client is not null && MaxConnectionsPerClient > 0 && fromClient >= MaxConnectionsPerClient)
            {
                return ConnectionLimitKind.PerClient;
            }

            _current++;
            if (client is not null)
            {
                _perClient[client] = fromClient + 1;
            }

            return null;
        }
    }

    private void Release(IPAddress? client)
    {
        lock (_gate)
        {
            _current--;
            if (client is not null)
            {
                var remaining = _perClient[client] - 1;
                if (remaining == 0)
                {
                    _perClient.Remove(client);
                }
                else
                {
                    _perClient[client] = remaining;
                }
            }
        }
    }

    private async Task RefuseAsync(ConnectionContext connection, IPAddress? client, ConnectionLimitKind limit)
    {
        LogRefused(connection.ConnectionId, client, limit, limit == ConnectionLimitKind.Total ? MaxConnections : MaxConnectionsPerClient);
        ConnectionRefused?.Invoke(this, new ConnectionRefusedEventArgs(limit, client));
        try
        {
            await connection.Transport.Output.WriteAsync(
                limit == ConnectionLimitKind.Total ? _totalReply : _perClientReply,
                connection.ConnectionClosed);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left first; there is nobody to tell.
            LogRefusalNotDelivered(connection.ConnectionId);
        }
    }

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} from {ClientAddress} refused with 421: {Limit} connection limit of {Maximum} reached")]
    private partial void LogRefused(string connectionId, IPAddress? clientAddress, ConnectionLimitKind limit, int maximum);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} closed before its 421 could be sent")]
    private partial void LogRefusalNotDelivered(string connectionId);
}
