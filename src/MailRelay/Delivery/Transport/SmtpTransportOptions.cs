using System.Net.Security;
using MailRelay.Configuration;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Everything the SMTP delivery transport needs: the routing settings from the configuration plus the
/// protocol constants (port, timeouts, connection reuse) that have sensible fixed defaults.
/// </summary>
public sealed class SmtpTransportOptions
{
    /// <summary>MAIL_HOSTNAME: the EHLO name.</summary>
    public required string HostName { get; init; }

    /// <summary>RELAY_HOST; null = direct delivery to MX hosts.</summary>
    public string? RelayHost { get; init; }

    /// <summary>RELAY_PORT.</summary>
    public int RelayPort { get; init; } = 587;

    /// <summary>The smarthost's AUTH credentials, or null for no AUTH.</summary>
    public RelayCredentials? RelayCredentials { get; init; }

    /// <summary>RELAY_TLS.</summary>
    public RelayTlsMode RelayTls { get; init; } = RelayTlsMode.Opportunistic;

    /// <summary>DELIVERY_ROUTES: lower-case domain → destination; exact domains only.</summary>
    public IReadOnlyDictionary<string, DeliveryRoute> Routes { get; init; } = new Dictionary<string, DeliveryRoute>();

    /// <summary>The port MX hosts are connected on. Always 25 in production; tests bind elsewhere.</summary>
    public int MxPort { get; init; } = 25;

    /// <summary>The most addresses (over all MX hosts) one attempt connects to before deferring (Postfix: 5).</summary>
    public int MaxAddressesPerAttempt { get; init; } = 5;

    /// <summary>TCP connect timeout (Postfix's <c>smtp_connect_timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The wait for each reply before the transaction: greeting, EHLO, STARTTLS, AUTH, RSET
    /// (RFC 5321 §4.5.3.2: initial 220 and MAIL 5 minutes).
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The limit on each read and write during MAIL, RCPT, DATA and the message (MailKit has one timeout
    /// per I/O; RFC 5321 asks up to 10 minutes for the reply to the final dot, which this must cover).
    /// </summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an idle connection is kept for the next message to the same host.</summary>
    public TimeSpan IdleConnectionLifetime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most idle connections kept over all hosts.</summary>
    public int MaxIdleConnections { get; init; } = 32;

    /// <summary>After this many messages a connection is closed instead of kept.</summary>
    public int MaxMessagesPerConnection { get; init; } = 100;

    /// <summary>
    /// Validates the certificate of a smarthost under RELAY_TLS=required (or implicit TLS); null = the
    /// system's validation (trusted chain, host name). Tests use it to trust their own CA.
    /// </summary>
    public RemoteCertificateValidationCallback? RelayCertificateValidation { get; init; }

    /// <summary>The options the configuration describes, other values at their defaults.</summary>
    public static SmtpTransportOptions FromConfiguration(RelayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var delivery = configuration.Delivery;
        return new SmtpTransportOptions
        {
            HostName = configuration.HostName,
            RelayHost = delivery.RelayHost,
            RelayPort = delivery.RelayPort,
            RelayCredentials = delivery.RelayCredentials,
            RelayTls = delivery.RelayTls,
            Routes = delivery.Routes,
        };
    }
}
