using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

public class ConfigurationErrorTests
{
    /// <summary>For every registry variable: a bad value, and the other variables it needs to be judged.</summary>
    public static TheoryData<string, string, string[]> BadValues => new()
    {
        { "MAIL_HOSTNAME", "mail_relay", [] },
        { "MAIL_DOMAINS", "example.com,EXAMPLE.com", [] },
        { "SMTP_LISTENERS", "127.0.0.1:70000", [] },
        { "TRUSTED_NETWORKS", "10.0.0.1/8", [] },
        { "ALLOW_OPEN_RELAY_NETWORKS", "sure", [] },
        { "PROXY_TRUSTED_PROXIES", "10.0.0.0/33", [] },
        { "PROXY_HEADER_TIMEOUT", "0s", [] },
        { "MAX_MESSAGE_SIZE", "1000", [] },
        { "MAX_RECIPIENTS", "0", [] },
        { "SMTP_BARE_NEWLINE", "allow", [] },
        { "SMTP_MAX_SESSIONS", "-1", [] },
        { "SMTP_MAX_SESSIONS_PER_CLIENT", "many", [] },
        { "SMTP_COMMAND_TIMEOUT", "5 minutes", [] },
        { "SMTP_DATA_TIMEOUT", "3M", [] },
        { "SMTP_MIN_DATA_RATE", "1KB", [] },
        { "SMTP_SESSION_MAX_DURATION", "0", [] },
        { "SMTP_MAX_ERRORS", "1001", [] },
        { "TLS_CERT_FILE", "/nonexistent/cert.pem", ["TLS_KEY_FILE=/nonexistent/key.pem"] },
        { "TLS_KEY_FILE", "/nonexistent/key.pem", ["TLS_CERT_FILE=/nonexistent/cert.pem"] },
        { "SMTP_AUTH_ENABLED", "sometimes", [] },
        { "SMTP_AUTH_USERS_FILE", "/nonexistent/users", ["SMTP_AUTH_ENABLED=true", "SMTP_AUTH_REQUIRE_TLS=false"] },
        { "SMTP_AUTH_REQUIRE_TLS", "always", [] },
        { "SMTP_AUTH_CONSTRAIN_SENDER", "strict", [] },
        { "SMTP_AUTH_SENDERS", "{\"app@example.com\": [\"/[/\"]}", [] },
        { "SHUTDOWN_TIMEOUT", "-5s", [] },
        { "HANDOFF_SERVICE", "not a name!", [] },
        { "HANDOFF_PORT", "0", [] },
        { "HANDOFF_TIMEOUT", "-1s", [] },
        { "HANDOFF_PEERS", "10.0.0.0/33", [] },
        { "POD_NAME", "mailrelay", ["HANDOFF_SERVICE=mailrelay-handoff.mail.svc"] },
        { "HANDOFF_KUBERNETES_API", "ftp://127.0.0.1/", [] },
        { "DATA_DIR", "/proc/self/status", [] },
        { "PERSISTENCE_ENABLED", "maybe", [] },
        { "SPOOL_MIN_FREE_SPACE", "10%", [] },
        { "RELAY_HOST", "smtp.example.net:587", [] },
        { "RELAY_PORT", "0", [] },
        { "RELAY_CREDENTIALS_ENABLED", "on", [] },
        { "RELAY_USERNAME", "user\r\nRCPT TO:<x@example.net>", ["RELAY_CREDENTIALS_ENABLED=true", "RELAY_HOST=smtp.example.net", "RELAY_PASSWORD=pw"] },
        { "RELAY_PASSWORD", "pass\nword", ["RELAY_CREDENTIALS_ENABLED=true", "RELAY_HOST=smtp.example.net", "RELAY_USERNAME=user"] },
        { "RELAY_PASSWORD_FILE", "/nonexistent/password", [] },
        { "RELAY_TLS", "starttls", [] },
        { "DELIVERY_ROUTES", "{\"example.com\": \"mx.example.net:99999\"}", [] },
        { "DNS_SERVERS", "dns.google", [] },
        { "INET_PROTOCOLS", "ipv5", [] },
        { "RETRY_SCHEDULE", "1m,0s,5m", [] },
        { "QUEUE_LIFETIME", "5days", [] },
        { "DELAY_WARNING_TIME", "4 hours", [] },
        { "DELIVERY_CONCURRENCY", "0", [] },
        { "DKIM_ENABLED", "enabled", [] },
        { "DKIM_AUTO_GENERATE", "2", [] },
        { "DKIM_KEY_SIZE", "512", [] },
        { "DKIM_DOMAINS", "not a domain", [] },
        { "DKIM_SELECTOR", "mail.2024", [] },
        { "DKIM_KEY_DIR", "/proc/self/status", [] },
        { "SENDER_ACCESS_ENABLED", "perhaps", [] },
        { "SENDER_ALLOWED_FROM", "/^noreply@(/", [] },
        { "SENDER_FORBIDDEN_FROM", "bad address@", [] },
        { "SENDER_CHECK_FROM_HEADER", "sometimes", [] },
        { "OUTBOUND_HIDE_CLIENT", "hidden", [] },
        { "OUTBOUND_STRIP_HEADERS", "X-Mailer,X Originating", [] },
        { "RATE_LIMIT_ENABLED", "yes please", [] },
        { "RATE_LIMIT_GLOBAL", "{\"maxConnection\": 1}", [] },
        { "RATE_LIMIT_DOMAINS", "{\"gmail.com\": {\"rate\": \"fast\"}}", [] },
        { "ADAPTIVE_RATE_ENABLED", "nope", [] },
        { "ADAPTIVE_RATE_DEFAULTS", "[1, 2]", [] },
        { "ADAPTIVE_RATE_DOMAINS", "{\"gmail.com\": {\"recoveryRate\": 1.5}}", [] },
        { "RATE_LIMIT_CUSTOM_DOMAINS", "{\"partner.example\": {\"maxConnections\": 0}}", [] },
        { "WARMUP_ENABLED", "soon", [] },
        { "WARMUP_START_DATE", "25/11/2026", [] },
        { "WARMUP_DAILY_CAPS", "20,0,80", [] },
        { "WARMUP_DOMAINS", "gmail.com,not a domain", [] },
        { "REDIS_URL", "http://redis:6379", [] },
        { "REDIS_PASSWORD_FILE", "/nonexistent/redis-password", ["REDIS_URL=redis://redis:6379"] },
        { "REDIS_KEY_PREFIX", "mail relay", [] },
        { "REDIS_TIMEOUT", "0s", [] },
        { "REPLICAS", "0", [] },
        { "DNS_PROVIDER", "route53", [] },
        { "DNS_RECORDS", "a,ptr", [] },
        { "DNS_TTL", "30", [] },
        { "DNS_MX_PRIORITY", "-1", [] },
        { "DNS_SPF_POLICY", "+all", [] },
        { "DNS_SPF_INCLUDE", "include:not a domain", [] },
        { "DNS_DMARC_POLICY", "monitor", [] },
        { "DNS_DMARC_RUA", "postmaster", [] },
        { "DNS_DMARC_PCT", "0", [] },
        { "DNS_OWNER_ID", "owner,id", [] },
        { "DNS_EXTERNAL_IPS", "203.0.113.300", [] },
        { "DNS_IP_DETECTION", "sometimes", [] },
        { "DNS_IP_DETECT_URLS", "ftp://ip.example.net", [] },
        { "DNS_KUBERNETES_SERVICE", "My_Service", [] },
        { "DNS_KUBERNETES_NAMESPACE", "Mail", [] },
        { "DNS_CHECK_INTERVAL", "0s", [] },
        { "CLOUDFLARE_API_TOKEN", "tok en", ["DNS_PROVIDER=cloudflare"] },
        { "CLOUDFLARE_API_TOKEN_FILE", "/nonexistent/token", ["DNS_PROVIDER=cloudflare"] },
        { "CLOUDFLARE_ZONE_IDS", "[\"example.com\"]", [] },
        { "CLOUDFLARE_PROXIED", "orange", [] },
        { "CLOUDFLARE_API_URL", "http://api.example.net/client/v4", [] },
        { "DNS_RFC2136_SERVER", "ns1.example.net", ["DNS_PROVIDER=rfc2136"] },
        { "DNS_RFC2136_TSIG_NAME", "bad name", ["DNS_PROVIDER=rfc2136", "DNS_RFC2136_SERVER=127.0.0.1", "DNS_RFC2136_TSIG_SECRET=c2VjcmV0"] },
        { "DNS_RFC2136_TSIG_ALGORITHM", "hmac-sha3", [] },
        { "DNS_RFC2136_TSIG_SECRET", "not base64!", ["DNS_PROVIDER=rfc2136", "DNS_RFC2136_SERVER=127.0.0.1", "DNS_RFC2136_TSIG_NAME=relay-key"] },
        { "DNS_RFC2136_TSIG_SECRET_FILE", "/nonexistent/tsig", [] },
        { "DNS_ENDPOINT_NAME", "Mail_Relay", [] },
        { "DNS_ENDPOINT_LABELS", "[1]", [] },
        { "DNSBL_ENABLED", "when listed", [] },
        { "DNSBL_INTERVAL", "30s", [] },
        { "DNSBL_IPS", "10.0.0.1", [] },
        { "DNSBL_DOMAINS", "example.com,not a domain", [] },
        { "DNSBL_IP_LISTS", "zen.spamhaus.org=127.0.0.2/127.0.0.2", [] },
        { "DNSBL_DOMAIN_LISTS", "dbl.spamhaus.org=10.0.0.2", [] },
        { "WEBHOOK_ENDPOINTS", "[{\"name\": \"app\", \"url\": \"https://hooks.example.com/\", \"event\": [\"bounced\"]}]", ["WEBHOOK_SECRET=0123456789abcdef0123"] },
        { "WEBHOOK_SECRET", "short", ["WEBHOOK_ENDPOINTS=[{\"name\": \"app\", \"url\": \"https://hooks.example.com/\"}]"] },
        { "WEBHOOK_SECRET_FILE", "/nonexistent/webhook-secret", [] },
        { "WEBHOOK_TIMEOUT", "5000", [] },
        { "WEBHOOK_MAX_IN_FLIGHT", "0", [] },
        { "WEBHOOK_MAX_AGE", "90d", [] },
        { "INBOUND_ENABLED", "on", [] },
        { "INBOUND_RECIPIENTS", "postmaster,abuse@ours.example", [] },
        { "INBOUND_FORWARD_TO", "<ops@company.example>", [] },
        { "DMARC_REPORTS_ENABLED", "yes please", [] },
        { "DMARC_REPORTS_STORE", "json", [] },
        { "DMARC_REPORTS_STORE_PATH", "/dev/null", [] },
        { "DMARC_REPORTS_MAX_AGE", "3 months", [] },
        { "INBOUND_SPF_ENABLED", "strict", [] },
        { "INBOUND_SPF_REJECT_FAIL", "550", [] },
        { "INBOUND_SPF_REJECT_SOFTFAIL", "sometimes", [] },
        { "INBOUND_DKIM_ENABLED", "on", [] },
        { "INBOUND_DMARC_ENABLED", "enabled", [] },
        { "INBOUND_DMARC_REJECT_ON_FAIL", "reject", [] },
        { "INBOUND_DMARC_QUARANTINE_ON_FAIL", "quarantine", [] },
        { "ADMIN_LISTEN", "8080", [] },
        { "LOG_FORMAT", "xml", [] },
        { "LOG_LEVEL", "Info", [] },
        { "DELIVERY_RECIPIENT_LIMIT", "0", [] },
        { "QUEUE_ACTIVE_LIMIT", "0", [] },
        { "EVENTS_CLIENT_ID_HEADER", "X-Client Id:", [] },
        { "BOUNCE_VERP_ENABLED", "yes please", [] },
        { "BOUNCE_USE_SENDER_DOMAIN", "sender", [] },
        { "BOUNCE_HMAC_SECRET", "too-short", [] },
        { "BOUNCE_HMAC_SECRET_FILE", "/nonexistent/bounce-secret", [] },
        { "BOUNCE_MAX_AGE", "7 days", [] },
        { "SUPPRESS_AFTER_HARD_BOUNCE", "forever", [] },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_an_error_naming_the_variable(string variable, string value, string[] context)
    {
        var environment = context
            .Select(c => c.Split('=', 2))
            .Select(p => (p[0], (string?)p[1]))
            .Append((variable, value))
            .ToArray();

        var result = TestEnvironment.Load(environment);

        Assert.False(result.IsValid);
        Assert.Null(result.Configuration);
        var error = Assert.Single(result.Errors, e => e.Variable == variable);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Every_registry_variable_has_a_bad_value_case()
    {
        var covered = BadValues.Select(row => (string)row[0]).ToHashSet();

        Assert.Equal(ConfigurationRegistry.Variables.Select(v => v.Name).Order(), covered.Order());
    }

    [Fact]
    public void Several_errors_are_reported_together()
    {
        var result = TestEnvironment.Load(
            ("SMTP_LISTENERS", "nope"),
            ("MAX_MESSAGE_SIZE", "big"),
            ("DKIM_KEY_SIZE", "9999"),
            ("LOG_LEVEL", "loud"),
            ("RETRY_SCHEDULE", "soon"));

        Assert.Equal(
            new[] { "DKIM_KEY_SIZE", "LOG_LEVEL", "MAX_MESSAGE_SIZE", "RETRY_SCHEDULE", "SMTP_LISTENERS" },
            TestEnvironment.ErrorVariables(result).Order());
    }

    [Fact]
    public void The_error_message_says_what_is_wrong()
    {
        var result = TestEnvironment.Load(("MAX_MESSAGE_SIZE", "25MB"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("MAX_MESSAGE_SIZE", error.Variable);
        Assert.Contains("25MB", error.Message, StringComparison.Ordinal);
        Assert.Contains("ambiguous", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("MAX_MESSAGE_SIZE: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unusable_machine_host_name_asks_for_mail_hostname()
    {
        var result = ConfigurationLoader.Load(TestEnvironment.Of(), () => "under_score");

        var error = Assert.Single(result.Errors);
        Assert.Equal("MAIL_HOSTNAME", error.Variable);
        Assert.Contains("Set MAIL_HOSTNAME", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mail_hostname_overrides_the_machine_name_and_is_lower_cased()
    {
        var config = TestEnvironment.LoadValid(("MAIL_HOSTNAME", "MX1.Example.COM"));

        Assert.Equal("mx1.example.com", config.HostName);
    }
}
