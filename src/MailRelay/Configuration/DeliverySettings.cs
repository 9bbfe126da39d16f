using System.Net;

namespace MailRelay.Configuration;

/// <summary>How queued mail leaves: smarthost or direct MX, routes, DNS, retries.</summary>
public sealed record DeliverySettings
{
    /// <summary>RELAY_HOST: the smarthost; null = direct delivery to the recipients' MX hosts.</summary>
    public required string? RelayHost { get; init; }

    /// <summary>RELAY_PORT.</summary>
    public required int RelayPort { get; init; }

    /// <summary>Smarthost AUTH credentials; null unless RELAY_CREDENTIALS_ENABLED is true.</summary>
    public required RelayCredentials? RelayCredentials { get; init; }

    /// <summary>RELAY_TLS, with its default resolved.</summary>
    public required RelayTlsMode RelayTls { get; init; }

    /// <summary>DELIVERY_ROUTES: lower-case domain → destination, overriding the MX lookup.</summary>
    public required IReadOnlyDictionary<string, DeliveryRoute> Routes { get; init; }

    /// <summary>DNS_SERVERS: name servers for MX/A lookups; empty = the system resolver.</summary>
    public required IReadOnlyList<IPEndPoint> DnsServers { get; init; }

    /// <summary>INET_PROTOCOLS.</summary>
    public required InetProtocols InetProtocols { get; init; }

    /// <summary>RETRY_SCHEDULE: delays before each retry; the last one repeats. Never empty.</summary>
    public required IReadOnlyList<TimeSpan> RetrySchedule { get; init; }

    /// <summary>QUEUE_LIFETIME: after this long in the queue a message bounces.</summary>
    public required TimeSpan QueueLifetime { get; init; }

    /// <summary>DELAY_WARNING_TIME: age at which a deferred message's sender is warned once; null when off.</summary>
    public TimeSpan? DelayWarningTime { get; init; }

    /// <summary>DELIVERY_CONCURRENCY: deliveries in progress at once.</summary>
    public required int Concurrency { get; init; }

    /// <summary>DELIVERY_RECIPIENT_LIMIT: most recipients in one transaction to one next hop.</summary>
    public int RecipientLimit { get; init; } = 50;

    /// <summary>QUEUE_ACTIVE_LIMIT: most queued messages held in memory whole; the rest wait on disk until due.</summary>
    public int ActiveLimit { get; init; } = 20000;
}
