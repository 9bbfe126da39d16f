using Microsoft.AspNetCore.Connections;

namespace MailRelay.Smtp.Hosting;

/// <summary>Hosting helpers for Kestrel listeners.</summary>
public static class SmtpListenOptionsExtensions
{
    /// <summary>
    /// Serves SMTP on this listener (after any middleware already added with <c>Use</c>). Needs
    /// <see cref="Session.SmtpServerOptions"/>, <see cref="Session.ISmtpSessionHandler"/>,
    /// <see cref="Session.ISmtpServerEvents"/> and <see cref="TimeProvider"/> in the service provider.
    /// </summary>
    public static TBuilder UseSmtp<TBuilder>(this TBuilder listen)
        where TBuilder : IConnectionBuilder
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.UseConnectionHandler<SmtpConnectionHandler>();
        return listen;
    }
}
