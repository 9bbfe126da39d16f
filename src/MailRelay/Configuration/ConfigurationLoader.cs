using System.Collections;
using System.Net.Sockets;
using MailRelay.Configuration.Syntax;
using Serilog.Events;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>
/// Builds the <see cref="RelayConfiguration"/> from environment variables, the only source of configuration.
/// Every variable is checked and every error is returned together, so one run shows the operator all of them.
/// </summary>
public static class ConfigurationLoader
{
    private static readonly Dictionary<string, LogFormat> LogFormatChoices = new()
    {
        ["text"] = LogFormat.Text,
        ["json"] = LogFormat.Json,
    };

    private static readonly Dictionary<string, LogEventLevel> LogLevelChoices =
        Enum.GetValues<LogEventLevel>().ToDictionary(level => level.ToString(), level => level);

    /// <summary>Loads from the process environment.</summary>
    public static ConfigurationResult LoadFromProcessEnvironment() => Load(ReadProcessEnvironment());

    /// <summary>A snapshot of the process environment.</summary>
    public static IReadOnlyDictionary<string, string?> ReadProcessEnvironment()
    {
        var snapshot = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            snapshot[(string)entry.Key] = entry.Value as string;
        }

        return snapshot;
    }

    public static ConfigurationResult Load(IReadOnlyDictionary<string, string?> environment) =>
        Load(environment, System.Net.Dns.GetHostName);

    /// <summary>Loads with a given source for the machine's host name (the default of MAIL_HOSTNAME).</summary>
    internal static ConfigurationResult Load(IReadOnlyDictionary<string, string?> environment, Func<string> machineHostName) =>
        Load(environment, machineHostName, Environment.CurrentDirectory);

    /// <summary>
    /// Loads with relative paths (DATA_DIR, DKIM_KEY_DIR) resolved once against <paramref name="currentDirectory"/>,
    /// the directory the command was run in, so the daemon and every CLI command started there mean the same
    /// directory, and what is printed is the absolute path that is used.
    /// </summary>
    internal static ConfigurationResult Load(IReadOnlyDictionary<string, string?> environment, Func<string> machineHostName, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(machineHostName);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);
        var reader = new EnvironmentReader(environment);

        var hostName = ReadHostName(reader, machineHostName);
        var selector = DkimSettingsReader.ReadSelector(reader);
        var domains = DkimSettingsReader.ReadMailDomains(reader, selector);

        var listeners = ListenerReader.ReadListeners(reader);
        var allowEverything = reader.ReadBoolean(N.AllowOpenRelayNetworks);
        var trustedNetworks = ListenerReader.ReadNetworks(reader, N.TrustedNetworks, allowEverything);
        var trustedProxies = ListenerReader.ReadNetworks(reader, N.ProxyTrustedProxies, allowEverything);
        var proxyHeaderTimeout = reader.ReadPositiveDuration(N.ProxyHeaderTimeout);
        var tls = ListenerReader.ReadTls(reader);
        CheckListenerRequirements(reader, listeners, trustedProxies, tls);
        var admin = ListenerReader.ReadAdmin(reader, listeners);
        var auth = SmtpAuthSettingsReader.Read(reader, tls);

        var smtp = SmtpSettingsReader.Read(reader);
        var shutdownTimeout = reader.ReadPositiveDuration(N.ShutdownTimeout);
        var handoff = HandoffSettingsReader.Read(reader, machineHostName, allowEverything);
        var dataDirectory = reader.Read(N.DataDir, (string text, out string value, out string error) =>
        {
            value = text.Trim();
            error = string.Empty;
            return true;
        });
        dataDirectory = FileChecks.ResolveDirectoryPath(reader, N.DataDir, dataDirectory, currentDirectory);
        var persistenceEnabled = reader.ReadBoolean(N.PersistenceEnabled);
        var spoolMinFreeSpace = reader.ReadSize(N.SpoolMinFreeSpace, 0, long.MaxValue);

        var delivery = DeliverySettingsReader.Read(reader);
        var senders = SenderSettingsReader.Read(reader, domains);
        var dns = DnsSettingsReader.Read(reader, hostName, delivery);
        var configuration = new RelayConfiguration
        {
            HostName = hostName,
            Domains = domains,
            Listeners = listeners,
            TrustedNetworks = trustedNetworks,
            TrustedProxies = trustedProxies,
            ProxyHeaderTimeout = proxyHeaderTimeout,
            Smtp = smtp,
            Tls = tls,
            Auth = auth,
            ShutdownTimeout = shutdownTimeout,
            Handoff = handoff,
            DataDirectory = dataDirectory,
            PersistenceEnabled = persistenceEnabled,
            SpoolMinFreeSpace = spoolMinFreeSpace,
            Delivery = delivery,
            Dkim = DkimSettingsReader.Read(reader, domains, selector, dataDirectory, currentDirectory),
            SenderAccessEnabled = senders.AccessEnabled,
            Senders = senders,
            OutboundHeaders = SenderSettingsReader.ReadOutbound(reader),
            RateLimit = PacingSettingsReader.ReadRateLimit(reader),
            AdaptiveRate = PacingSettingsReader.ReadAdaptiveRate(reader),
            Warmup = PacingSettingsReader.ReadWarmup(reader),
            Redis = RedisSettingsReader.Read(reader),
            Dns = dns,
            Dnsbl = DnsblSettingsReader.Read(reader, domains, delivery, dns),
            Webhooks = WebhookSettingsReader.Read(reader),
            Inbound = InboundSettingsReader.Read(reader, domains, dataDirectory, currentDirectory),
            InboundSecurity = InboundSecuritySettingsReader.Read(reader),
            AdminEndPoint = admin,
            LogFormat = reader.ReadChoice(N.LogFormat, LogFormatChoices),
            LogLevel = reader.ReadChoice(N.LogLevel, LogLevelChoices),
            EventsClientIdHeader = reader.Read<string>(N.EventsClientIdHeader, TryParseHeaderName),
            Bounce = BounceSettingsReader.Read(reader),
        };

        var foreign = ForeignVariableDetector.Find(environment);
        var warnings = reader.Warnings.Concat(UnknownVariableDetector.Find(environment.Keys)).Concat(foreign.Warnings).ToArray();
        return new ConfigurationResult(configuration, reader.Errors.Concat(foreign.Errors).ToArray(), warnings, reader.ResolvedValues());
    }

    /// <summary>One header field name (RFC 5322 ftext: printable ASCII without colons), as EVENTS_CLIENT_ID_HEADER takes it.</summary>
    private static bool TryParseHeaderName(string text, out string value, out string error)
    {
        value = text.Trim();
        error = string.Empty;
        if (value.Length == 0 || !value.All(c => c is > ' ' and < (char)127 and not ':'))
        {
            error = $"'{text}' is not a header field name (printable ASCII without spaces or colons, e.g. X-Message-ID).";
            return false;
        }

        return true;
    }

    private static string ReadHostName(EnvironmentReader reader, Func<string> machineHostName)
    {
        var given = reader.Given(N.MailHostname);
        string machine;
        try
        {
            machine = given ?? machineHostName();
        }
        catch (SocketException exception)
        {
            machine = string.Empty;
            reader.Error(N.MailHostname, $"the machine's host name is unknown ({exception.Message}); set {N.MailHostname}.");
        }

        reader.Resolve(N.MailHostname, machine, fromDefault: given is null);
        if (machine.Length == 0)
        {
            return "localhost";
        }

        if (!DomainNameSyntax.TryParse(machine, requireDot: false, out var hostName, out var error))
        {
            reader.Error(N.MailHostname, given is null ? $"the machine's host name is not usable: {error} Set {N.MailHostname}." : error);
            return "localhost";
        }

        return hostName;
    }

    private static void CheckListenerRequirements(
        EnvironmentReader reader,
        IReadOnlyList<ListenerEndpoint> listeners,
        Smtp.Net.NetworkList trustedProxies,
        TlsCertificateFiles? tls)
    {
        var proxied = listeners.FirstOrDefault(l => l.ProxyProtocol);
        if (proxied is not null && trustedProxies.IsEmpty && !reader.HasError(N.ProxyTrustedProxies))
        {
            reader.Error(N.ProxyTrustedProxies, $"must list the proxies, because the listener '{proxied}' expects PROXY headers.");
        }

        if (proxied is null && !trustedProxies.IsEmpty)
        {
            reader.Warn(N.ProxyTrustedProxies, "is set, but no listener in SMTP_LISTENERS has /proxy, so it has no effect.");
        }

        var implicitTls = listeners.FirstOrDefault(l => l.ImplicitTls);
        if (implicitTls is not null && tls is null && !reader.HasError(N.TlsCertFile) && !reader.HasError(N.TlsKeyFile))
        {
            reader.Error(N.SmtpListeners, $"the listener '{implicitTls}' uses /tls, which needs {N.TlsCertFile} and {N.TlsKeyFile}.");
        }
    }
}
