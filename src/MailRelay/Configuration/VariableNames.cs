namespace MailRelay.Configuration;

/// <summary>The names of the environment variables, so code never spells one twice.</summary>
public static class VariableNames
{
    public const string MailHostname = "MAIL_HOSTNAME";
    public const string MailDomains = "MAIL_DOMAINS";
    public const string SmtpListeners = "SMTP_LISTENERS";
    public const string TrustedNetworks = "TRUSTED_NETWORKS";
    public const string AllowOpenRelayNetworks = "ALLOW_OPEN_RELAY_NETWORKS";
    public const string ProxyTrustedProxies = "PROXY_TRUSTED_PROXIES";
    public const string ProxyHeaderTimeout = "PROXY_HEADER_TIMEOUT";
    public const string MaxMessageSize = "MAX_MESSAGE_SIZE";
    public const string MaxRecipients = "MAX_RECIPIENTS";
    public const string SmtpBareNewline = "SMTP_BARE_NEWLINE";
    public const string SmtpMaxSessions = "SMTP_MAX_SESSIONS";
    public const string SmtpMaxSessionsPerClient = "SMTP_MAX_SESSIONS_PER_CLIENT";
    public const string SmtpCommandTimeout = "SMTP_COMMAND_TIMEOUT";
    public const string SmtpDataTimeout = "SMTP_DATA_TIMEOUT";
    public const string SmtpMinDataRate = "SMTP_MIN_DATA_RATE";
    public const string SmtpMaxErrors = "SMTP_MAX_ERRORS";
    public const string TlsCertFile = "TLS_CERT_FILE";
    public const string TlsKeyFile = "TLS_KEY_FILE";
    public const string ShutdownTimeout = "SHUTDOWN_TIMEOUT";
    public const string DataDir = "DATA_DIR";
    public const string PersistenceEnabled = "PERSISTENCE_ENABLED";
    public const string RelayHost = "RELAY_HOST";
    public const string RelayPort = "RELAY_PORT";
    public const string RelayCredentialsEnabled = "RELAY_CREDENTIALS_ENABLED";
    public const string RelayUsername = "RELAY_USERNAME";
    public const string RelayPassword = "RELAY_PASSWORD";
    public const string RelayPasswordFile = "RELAY_PASSWORD_FILE";
    public const string RelayTls = "RELAY_TLS";
    public const string DeliveryRoutes = "DELIVERY_ROUTES";
    public const string DnsServers = "DNS_SERVERS";
    public const string InetProtocols = "INET_PROTOCOLS";
    public const string RetrySchedule = "RETRY_SCHEDULE";
    public const string QueueLifetime = "QUEUE_LIFETIME";
    public const string DelayWarningTime = "DELAY_WARNING_TIME";
    public const string DeliveryConcurrency = "DELIVERY_CONCURRENCY";
    public const string DkimEnabled = "DKIM_ENABLED";
    public const string DkimAutoGenerate = "DKIM_AUTO_GENERATE";
    public const string DkimKeySize = "DKIM_KEY_SIZE";
    public const string DkimDomains = "DKIM_DOMAINS";
    public const string DkimSelector = "DKIM_SELECTOR";
    public const string DkimKeyDir = "DKIM_KEY_DIR";
    public const string SenderAccessEnabled = "SENDER_ACCESS_ENABLED";
    public const string RateLimitEnabled = "RATE_LIMIT_ENABLED";
    public const string RateLimitGlobal = "RATE_LIMIT_GLOBAL";
    public const string RateLimitDomains = "RATE_LIMIT_DOMAINS";
    public const string AdaptiveRateEnabled = "ADAPTIVE_RATE_ENABLED";
    public const string AdaptiveRateDefaults = "ADAPTIVE_RATE_DEFAULTS";
    public const string AdaptiveRateDomains = "ADAPTIVE_RATE_DOMAINS";
    public const string AdminListen = "ADMIN_LISTEN";
    public const string LogFormat = "LOG_FORMAT";
    public const string LogLevel = "LOG_LEVEL";
}
