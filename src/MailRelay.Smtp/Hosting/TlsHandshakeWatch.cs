using Microsoft.AspNetCore.Connections;

namespace MailRelay.Smtp.Hosting;

/// <summary>
/// Notices implicit-TLS connections whose handshake was cut by its timeout. Kestrel's HTTPS middleware runs
/// that handshake and closes a connection that does not finish it in time without telling anyone; this pair
/// of middleware around it does: <see cref="Outer"/> goes before <c>UseHttps</c>, <see cref="Inner"/> after.
/// A connection that never reached <see cref="Inner"/> and lasted the whole handshake timeout was cut by it.
/// </summary>
public sealed class TlsHandshakeWatch
{
    // Kestrel's timer counts on a coarse clock and may fire a few milliseconds before ours reaches the timeout.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(100);

    private readonly object handshakeDone = new();
    private readonly TimeSpan handshakeTimeout;
    private readonly TimeProvider timeProvider;

    public TlsHandshakeWatch(TimeSpan handshakeTimeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.handshakeTimeout = handshakeTimeout;
        this.timeProvider = timeProvider;
    }

    /// <summary>Raised when an implicit-TLS connection closed because its handshake did not finish in time.</summary>
    public event EventHandler? HandshakeTimedOut;

    /// <summary>Before <c>UseHttps</c>: times the connection and checks, at its end, whether TLS was ever up.</summary>
    public ConnectionDelegate Outer(ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return async connection =>
        {
            var started = timeProvider.GetTimestamp();
            await next(connection);
            if (!connection.Items.ContainsKey(handshakeDone) && timeProvider.GetElapsedTime(started) + TimerSlack >= handshakeTimeout)
            {
                HandshakeTimedOut?.Invoke(this, EventArgs.Empty);
            }
        };
    }

    /// <summary>After <c>UseHttps</c>: reached only once the handshake succeeded.</summary>
    public ConnectionDelegate Inner(ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return connection =>
        {
            connection.Items[handshakeDone] = true;
            return next(connection);
        };
    }
}
