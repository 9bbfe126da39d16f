using static MailRelay.Configuration.ConfigurationVariable;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>
/// Every environment variable the daemon reads, in documentation order. The loader refuses to read a name
/// that is not here, <c>config check</c> prints exactly these, and a test holds docs/configuration.md to them.
/// </summary>
public static class ConfigurationRegistry
{
    private const string Duration = "duration";
    private const string Boolean = "boolean";

    public static IReadOnlyList<ConfigurationVariable> Variables { get; } =
    [
        Computed(N.MailHostname, "DNS name", "the machine's host name",
            "Name in the SMTP banner, the EHLO reply, Message-IDs and DSNs."),
        Computed(N.MailDomains, "list of domain[:selector]", "none",
            "Our sender domains; a selector after the colon overrides DKIM_SELECTOR for that domain."),
        Literal(N.SmtpListeners, "list of [address:]port[/proxy][/tls]", "127.0.0.1:2525",
            "SMTP listeners. No address = every address (IPv6 `::`, dual-stack). `/proxy` = expects PROXY headers from PROXY_TRUSTED_PROXIES; `/tls` = implicit TLS (needs TLS_CERT_FILE)."),
        Literal(N.TrustedNetworks, "list of CIDRs, or none", "127.0.0.0/8",
            "Client networks allowed to relay to any domain."),
        Literal(N.AllowOpenRelayNetworks, Boolean, "false",
            "Permits `0.0.0.0/0` or `::/0` in TRUSTED_NETWORKS and PROXY_TRUSTED_PROXIES, which makes an open relay; refused otherwise."),
        Computed(N.ProxyTrustedProxies, "list of CIDRs", "none",
            "Peers whose PROXY headers are believed; required when a listener has `/proxy`."),
        Literal(N.ProxyHeaderTimeout, Duration, "5s",
            "Time a trusted proxy has to send its PROXY header."),
        Literal(N.MaxMessageSize, "size, at least 1024", "26214400",
            "Largest message in bytes, advertised with SIZE."),
        Literal(N.MaxRecipients, "integer 1–100000", "1000",
            "Recipients per message (RFC 5321 asks for at least 100; less gives a warning)."),
        Literal(N.SmtpBareNewline, "reject / normalize", "reject",
            "What a bare LF or CR in DATA gets: refused with 5xx, or stored as CRLF. Only CRLF.CRLF ends DATA either way."),
        Literal(N.SmtpMaxSessions, "integer, 0 = unlimited", "1000",
            "Concurrent SMTP sessions in total."),
        Literal(N.SmtpMaxSessionsPerClient, "integer, 0 = unlimited", "50",
            "Concurrent SMTP sessions per client address."),
        Literal(N.SmtpCommandTimeout, Duration, "5m",
            "Idle time allowed while waiting for a command."),
        Literal(N.SmtpDataTimeout, Duration, "3m",
            "Idle time allowed between reads inside DATA or BDAT."),
        Literal(N.SmtpMinDataRate, "size per second, 0 = off", "1024",
            "Minimum average transfer rate during DATA or BDAT."),
        Literal(N.SmtpMaxErrors, "integer 1–1000", "10",
            "Consecutive failed commands after which the session is closed."),
        Computed(N.TlsCertFile, "path of a PEM file", "none",
            "Server certificate; when set (with TLS_KEY_FILE) STARTTLS is offered. Checked at start."),
        Computed(N.TlsKeyFile, "path of a PEM file", "none",
            "Private key of TLS_CERT_FILE; both or neither."),
        Literal(N.SmtpAuthEnabled, Boolean, "false",
            "Offer SMTP AUTH (PLAIN, LOGIN) to clients; an authenticated client may relay to any domain (see docs/authentication.md)."),
        Computed(N.SmtpAuthUsersFile, "path", "none",
            "Users file for SMTP AUTH, one `user:secret` per line (e.g. a mounted Secret); required when SMTP_AUTH_ENABLED is true. Checked at start, reloaded when it changes."),
        Literal(N.SmtpAuthRequireTls, Boolean, "true",
            "Offer and accept AUTH only inside TLS (STARTTLS or a `/tls` listener), so passwords never cross the network in clear; needs TLS_CERT_FILE."),
        Literal(N.ShutdownTimeout, Duration, "30s",
            "How long SIGTERM lets open sessions finish before they are cut."),
        Literal(N.DataDir, "path", "./data",
            "Queue, DKIM keys and controller state."),
        Literal(N.PersistenceEnabled, Boolean, "true",
            "Whether DATA_DIR is on persistent storage; false = the operator accepts that the queue is lost with the container."),
        Computed(N.RelayHost, "host name or IP address", "none",
            "Smarthost for all outbound mail; not set = direct delivery to the recipients' MX hosts."),
        Literal(N.RelayPort, "port 1–65535", "587",
            "Smarthost port."),
        Literal(N.RelayCredentialsEnabled, Boolean, "false",
            "Authenticate to the smarthost with RELAY_USERNAME and the password."),
        Computed(N.RelayUsername, "text", "none",
            "Smarthost user name."),
        Computed(N.RelayPassword, "text (secret)", "none",
            "Smarthost password; never printed. Use this or RELAY_PASSWORD_FILE.", isSecret: true),
        Computed(N.RelayPasswordFile, "path", "none",
            "File holding the smarthost password (read at start; line breaks at its end are ignored)."),
        Computed(N.RelayTls, "required / opportunistic / none", "required with credentials, else opportunistic",
            "TLS towards the smarthost; `none` with credentials is refused unless RELAY_HOST is loopback."),
        Literal(N.DeliveryRoutes, "JSON object domain → host[:port]", "{}",
            "Transport map: mail for these domains goes to the given host instead of their MX (port 25 when omitted)."),
        Computed(N.DnsServers, "list of IP[:port]", "the system resolver",
            "Name servers for MX and A lookups."),
        Literal(N.InetProtocols, "ipv4 / ipv6 / all", "ipv4",
            "Address families for outbound connections."),
        Literal(N.RetrySchedule, "list of durations", "1m,5m,15m,30m,1h,2h,4h",
            "Delays before successive delivery retries; the last one repeats."),
        Literal(N.QueueLifetime, Duration, "5d",
            "Time after which undeliverable mail is returned to the sender."),
        Literal(N.DelayWarningTime, Duration, "0",
            "Age at which a still-deferred message's sender gets one delay warning (a DSN with action delayed); 0 turns warnings off."),
        Literal(N.DeliveryConcurrency, "integer 1–1000", "20",
            "Deliveries in progress at once, across all destinations."),
        Literal(N.DkimEnabled, Boolean, "true",
            "Sign outgoing mail with DKIM."),
        Literal(N.DkimAutoGenerate, Boolean, "true",
            "Generate a key at start for a domain that has none."),
        Literal(N.DkimKeySize, "integer 1024–4096, a multiple of 8", "2048",
            "RSA key size for generated keys."),
        Computed(N.DkimDomains, "list of domains", "the domains of MAIL_DOMAINS",
            "Domains to sign for."),
        Literal(N.DkimSelector, "DNS label", "mail",
            "Selector for domains whose MAIL_DOMAINS entry names none."),
        Computed(N.DkimKeyDir, "path", "$DATA_DIR/dkim-keys",
            "Where DKIM private keys are kept."),
        Literal(N.SenderAccessEnabled, Boolean, "false",
            "Enable the sender access rules."),
        Literal(N.RateLimitEnabled, Boolean, "false",
            "Enforce static delivery limits."),
        Literal(N.RateLimitGlobal, "JSON object", "{}",
            "Static limits for every destination: `enabled`, `maxConnections`, `maxPerConnection`, `rate`, `delayMs`."),
        Literal(N.RateLimitDomains, "JSON object of objects", "{}",
            "Static limits per domain, same keys as RATE_LIMIT_GLOBAL; a domain's limits apply to its whole MX provider (`gmail.com` → `google.com`)."),
        Literal(N.RateLimitCustomDomains, "JSON object of objects", "{}",
            "Static limits for exact recipient domains (your partners), same keys; not mapped to a provider, applied on top of the provider's and the global limits."),
        Literal(N.AdaptiveRateEnabled, Boolean, "false",
            "Adapt delivery pace to the receivers' replies."),
        Literal(N.AdaptiveRateDefaults, "JSON object", "{}",
            "Adaptive controller settings: `minDelay`, `maxDelay`, `initialDelay` (ms), `backoffMultiplier`, `recoveryRate`, `successThreshold`, `circuitBreakerThreshold`, `circuitBreakerDuration` (ms)."),
        Literal(N.AdaptiveRateDomains, "JSON object of objects", "{}",
            "Adaptive controller settings per domain, the same keys plus `enabled`; a domain's settings apply to its whole MX provider."),
        Literal(N.WarmupEnabled, Boolean, "false",
            "Enforce daily sending caps per provider for a new sending IP (see docs/pacing.md)."),
        Computed(N.WarmupStartDate, "date YYYY-MM-DD (UTC)", "none",
            "Day 1 of the warm-up schedule; required when WARMUP_ENABLED is true."),
        Literal(N.WarmupDailyCaps, "list of whole numbers ≥ 1", "20,40,80,150,300,600,1000",
            "Messages allowed per provider on day 1, 2, …; after the last day there is no cap."),
        Literal(N.WarmupDomains, "list of domains, or *", "gmail.com,outlook.com,yahoo.com",
            "Domains whose providers are warmed up (`gmail.com` → `google.com`); `*` = every provider."),
        Literal(N.AdminListen, "address:port, or none", "127.0.0.1:8080",
            "Admin HTTP listener for `/healthz`, `/readyz` and `/metrics`; `none` turns it off."),
        Literal(N.LogFormat, "text / json", "text",
            "Log output format on stdout."),
        Literal(N.LogLevel, "Verbose / Debug / Information / Warning / Error / Fatal", "Information",
            "Minimum log level (case-insensitive)."),
    ];

    /// <summary>The registry entry for a name, or null.</summary>
    public static ConfigurationVariable? Find(string name)
    {
        foreach (var variable in Variables)
        {
            if (string.Equals(variable.Name, name, StringComparison.Ordinal))
            {
                return variable;
            }
        }

        return null;
    }
}
