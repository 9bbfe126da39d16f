using System.Net;
using MailRelay.Smtp.Net;
using MailRelay.Smtp.Session;
using Serilog.Events;

namespace MailRelay.Configuration;

/// <summary>
/// The daemon's whole configuration, typed and validated. Built only by <see cref="ConfigurationLoader"/>.
/// </summary>
public sealed record RelayConfiguration
{
    /// <summary>MAIL_HOSTNAME.</summary>
    public required string HostName { get; init; }

    /// <summary>MAIL_DOMAINS, in the order given.</summary>
    public required IReadOnlyList<MailDomain> Domains { get; init; }

    /// <summary>SMTP_LISTENERS, in the order given. Never empty.</summary>
    public required IReadOnlyList<ListenerEndpoint> Listeners { get; init; }

    /// <summary>TRUSTED_NETWORKS.</summary>
    public required NetworkList TrustedNetworks { get; init; }

    /// <summary>PROXY_TRUSTED_PROXIES.</summary>
    public required NetworkList TrustedProxies { get; init; }

    /// <summary>PROXY_HEADER_TIMEOUT.</summary>
    public required TimeSpan ProxyHeaderTimeout { get; init; }

    public required SmtpSettings Smtp { get; init; }

    /// <summary>TLS_CERT_FILE and TLS_KEY_FILE; null = no STARTTLS and no implicit-TLS listeners.</summary>
    public required TlsCertificateFiles? Tls { get; init; }

    /// <summary>SMTP_AUTH_ENABLED, SMTP_AUTH_USERS_FILE, SMTP_AUTH_REQUIRE_TLS.</summary>
    public required SmtpAuthSettings Auth { get; init; }

    /// <summary>SHUTDOWN_TIMEOUT: how long SIGTERM lets sessions finish.</summary>
    public required TimeSpan ShutdownTimeout { get; init; }

    /// <summary>HANDOFF_* and POD_NAME: the scale-down handoff.</summary>
    public HandoffSettings Handoff { get; init; } = new();

    /// <summary>DATA_DIR.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>PERSISTENCE_ENABLED: false = the operator accepts that DATA_DIR does not survive the container.</summary>
    public required bool PersistenceEnabled { get; init; }

    /// <summary>SPOOL_MIN_FREE_SPACE: bytes to keep free on DATA_DIR's file system; 0 = no floor.</summary>
    public long SpoolMinFreeSpace { get; init; } = 100L << 20;

    public required DeliverySettings Delivery { get; init; }

    public required DkimSettings Dkim { get; init; }

    /// <summary>SENDER_ACCESS_ENABLED.</summary>
    public required bool SenderAccessEnabled { get; init; }

    /// <summary>The sender rules (SENDER_*) and the AUTH sender binding (SMTP_AUTH_CONSTRAIN_SENDER, SMTP_AUTH_SENDERS).</summary>
    public required SenderSettings Senders { get; init; }

    /// <summary>OUTBOUND_HIDE_CLIENT, OUTBOUND_STRIP_HEADERS.</summary>
    public required OutboundHeaderSettings OutboundHeaders { get; init; }

    public required RateLimitSettings RateLimit { get; init; }

    public required AdaptiveRateSettings AdaptiveRate { get; init; }

    /// <summary>WARMUP_ENABLED, WARMUP_START_DATE, WARMUP_DAILY_CAPS, WARMUP_DOMAINS.</summary>
    public required WarmupSettings Warmup { get; init; }

    /// <summary>REDIS_URL, REDIS_PASSWORD_FILE, REDIS_KEY_PREFIX, REDIS_TIMEOUT, REPLICAS: pacing shared between replicas.</summary>
    public RedisSettings Redis { get; init; } = RedisSettings.Disabled;

    /// <summary>DNS_* and CLOUDFLARE_*: DNS automation.</summary>
    public required DnsSettings Dns { get; init; }

    /// <summary>DNSBL_*: the blocklist monitor.</summary>
    public required DnsblSettings Dnsbl { get; init; }

    /// <summary>INBOUND_* and DMARC_REPORTS_*: the feedback addresses.</summary>
    public InboundSettings Inbound { get; init; } = InboundSettings.Disabled;
    /// <summary>BOUNCE_* and SUPPRESS_*: VERP return paths and the suppression list.</summary>
    public BounceSettings Bounce { get; init; } = BounceSettings.Off;
    /// <summary>WEBHOOK_*: the webhook endpoints fed from the event outbox.</summary>
    public WebhookSettings Webhooks { get; init; } = WebhookSettings.None;
    /// <summary>INBOUND_SPF_*, INBOUND_DKIM_*, INBOUND_DMARC_*: verification of inbound mail.</summary>
    public InboundSecuritySettings InboundSecurity { get; init; } = InboundSecuritySettings.Default;

    /// <summary>ADMIN_LISTEN; null = the admin HTTP listener is off.</summary>
    public required IPEndPoint? AdminEndPoint { get; init; }

    /// <summary>LOG_FORMAT.</summary>
    public required LogFormat LogFormat { get; init; }

    /// <summary>LOG_LEVEL.</summary>
    public required LogEventLevel LogLevel { get; init; }

    /// <summary>EVENTS_CLIENT_ID_HEADER: the header field naming the client's correlation id in events.</summary>
    public string EventsClientIdHeader { get; init; } = "X-Message-ID";

    /// <summary>
    /// Copies the SMTP engine's settings onto its options. The certificate and the authenticator are left to the
    /// caller, which loads them from <see cref="Tls"/> and <see cref="Auth"/>.
    /// </summary>
    public void ApplyTo(SmtpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.HostName = HostName;
        options.MaxMessageSize = Smtp.MaxMessageSize;
        options.MaxRecipients = Smtp.MaxRecipients;
        options.BareNewline = Smtp.BareNewline;
        options.CommandTimeout = Smtp.CommandTimeout;

        // A handshake is a few round trips: the command timeout bounds it, but never beyond the engine's 30 s.
        options.TlsHandshakeTimeout = Smtp.CommandTimeout < options.TlsHandshakeTimeout ? Smtp.CommandTimeout : options.TlsHandshakeTimeout;
        options.MaxSessionDuration = Smtp.SessionMaxDuration;
        options.DataTimeout = Smtp.DataTimeout;
        options.MinDataRate = Smtp.MinDataRate;
        options.MaxConsecutiveErrors = Smtp.MaxErrors;
        options.AuthRequiresTls = Auth.RequireTls;
        options.ArrivalTimePeers = Handoff.Peers;
    }
}
