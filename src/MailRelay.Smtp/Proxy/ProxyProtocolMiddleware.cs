using System.Net;
using MailRelay.Smtp.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Proxy;

/// <summary>
/// Connection middleware for listeners that sit behind a PROXY-protocol load balancer. A TCP peer in
/// the trusted proxy list must open with a valid v1 or v2 header, all of it within the header timeout
/// counted from the connection (a deadline: a header trickled in a byte at a time is cut), and the header's
/// source then becomes <see cref="BaseConnectionContext.RemoteEndPoint"/> for every later stage. Any
/// other peer passes through untouched and is served as a direct client, so a forged header from it
/// never changes an address. Use: <c>listen.Use(next =&gt; middleware.OnConnection(next))</c>.
/// </summary>
public sealed partial class ProxyProtocolMiddleware
{
    private readonly NetworkList _trustedProxies;
    private readonly TimeSpan _headerTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ProxyProtocolMiddleware(NetworkList trustedProxies, TimeSpan headerTimeout, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(trustedProxies);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(headerTimeout, TimeSpan.Zero);
        _trustedProxies = trustedProxies;
        _headerTimeout = headerTimeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>A proxy sends its header at once; a few seconds covers a loaded proxy without holding idle sockets.</summary>
    public static TimeSpan DefaultHeaderTimeout { get; } = TimeSpan.FromSeconds(5);

    public NetworkList TrustedProxies => _trustedProxies;

    public TimeSpan HeaderTimeout => _headerTimeout;

    /// <summary>Raised when a trusted proxy's connection is closed because its header was not complete in time.</summary>
    public event EventHandler? HeaderTimedOut;

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

        if (connection.RemoteEndPoint is not IPEndPoint peer || !_trustedProxies.Contains(peer.Address))
        {
            await next(connection);
            return;
        }

        var header = await ReadHeaderAsync(connection, peer);
        if (header is null)
        {
            // Returning without calling next closes the connection; nothing has been written to it.
            return;
        }

        var proxyLocal = connection.LocalEndPoint;
        if (header.HasAddresses)
        {
            connection.RemoteEndPoint = header.Source;
            connection.LocalEndPoint = header.Destination;
        }

        connection.Features.Set<IProxyProtocolFeature>(
            new ProxyProtocolFeature(peer, proxyLocal, header.Version, header.IsLocal, header.HasAddresses));
        LogHeaderAccepted(connection.ConnectionId, header.Version, peer, connection.RemoteEndPoint);

        await next(connection);
    }

    private async Task<ProxyHeader?> ReadHeaderAsync(ConnectionContext connection, IPEndPoint peer)
    {
        // Only the timeout cancels the read: a peer that sends its header and then half-closes (FIN) fires
        // ConnectionClosed, yet the bytes it sent are still in the pipe and must be read; the pipe's own
        // completion tells us when nothing more will come. One timer for the whole header, not one per read.
        using var timeout = new CancellationTokenSource(_headerTimeout, _timeProvider);
        var input = connection.Transport.Input;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(timeout.Token);
                var buffer = read.Buffer;
                var result = ProxyHeaderParser.Parse(buffer);
                if (result.IsHeader)
                {
                    input.AdvanceTo(buffer.GetPosition(result.Header.Length));
                    return result.Header;
                }

                if (result.IsInvalid)
                {
                    input.AdvanceTo(buffer.Start);
                    LogInvalidHeader(connection.ConnectionId, peer, result.Reason);
                    return null;
                }

                if (read.IsCompleted || read.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    LogClosedBeforeHeader(connection.ConnectionId, peer);
                    return null;
                }

                // Incomplete: keep what we have and wait for more; the parser decides within a bounded length.
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogHeaderTimeout(connection.ConnectionId, peer, _headerTimeout);
            HeaderTimedOut?.Invoke(this, EventArgs.Empty);
            return null;
        }
        catch (OperationCanceledException)
        {
            LogClosedBeforeHeader(connection.ConnectionId, peer);
            return null;
        }
        catch (IOException)
        {
            LogClosedBeforeHeader(connection.ConnectionId, peer);
            return null;
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} from trusted proxy {ProxyEndPoint} closed: invalid PROXY header ({Reason})")]
    private partial void LogInvalidHeader(string connectionId, IPEndPoint proxyEndPoint, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} from trusted proxy {ProxyEndPoint} closed: no complete PROXY header within {Timeout}")]
    private partial void LogHeaderTimeout(string connectionId, IPEndPoint proxyEndPoint, TimeSpan timeout);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} from trusted proxy {ProxyEndPoint} ended before a complete PROXY header")]
    private partial void LogClosedBeforeHeader(string connectionId, IPEndPoint proxyEndPoint);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: PROXY v{Version} header from {ProxyEndPoint}, client {ClientEndPoint}")]
    private partial void LogHeaderAccepted(string connectionId, int version, IPEndPoint proxyEndPoint, EndPoint? clientEndPoint);
}
