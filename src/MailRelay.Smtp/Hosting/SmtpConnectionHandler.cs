using MailRelay.Smtp.Session;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Hosting;

/// <summary>
/// Kestrel's entry point for an SMTP listener: one <see cref="SmtpSession"/> per connection, using the
/// endpoints that earlier connection middleware (PROXY protocol) may have replaced. Kestrel's
/// <see cref="IConnectionLifetimeNotificationFeature.ConnectionClosedRequested"/> (host stopping) is
/// the session's shutdown signal.
/// </summary>
public sealed class SmtpConnectionHandler : ConnectionHandler
{
    private readonly SmtpServerOptions options;
    private readonly ISmtpSessionHandler handler;
    private readonly ISmtpServerEvents events;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<SmtpConnectionHandler> logger;

    public SmtpConnectionHandler(
        SmtpServerOptions options,
        ISmtpSessionHandler handler,
        ISmtpServerEvents events,
        TimeProvider timeProvider,
        ILogger<SmtpConnectionHandler> logger)
    {
        this.options = options;
        this.handler = handler;
        this.events = events;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var context = new SessionContext(connection.ConnectionId, connection.RemoteEndPoint, connection.LocalEndPoint);

        // Implicit TLS (a listener with Kestrel's UseHttps): the session starts secure and offers no STARTTLS.
        if (connection.Features.Get<ITlsHandshakeFeature>() is { } tls)
        {
            context.IsSecure = true;
            context.TlsDescription = $"{tls.Protocol} {tls.NegotiatedCipherSuite}";
        }

        var shutdown = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        var session = new SmtpSession(connection.Transport, context, options, handler, events, timeProvider, logger);
        await session.RunAsync(shutdown, connection.ConnectionClosed);
    }
}
