using System.Net;
using MailRelay.Configuration.Syntax;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the outbound side: smarthost, credentials, routes, DNS, retries.</summary>
internal static class DeliverySettingsReader
{
    private static readonly Dictionary<string, RelayTlsMode> RelayTlsChoices = new()
    {
        ["required"] = RelayTlsMode.Required,
        ["opportunistic"] = RelayTlsMode.Opportunistic,
        ["none"] = RelayTlsMode.None,
    };

    private static readonly Dictionary<string, InetProtocols> InetChoices = new()
    {
        ["ipv4"] = InetProtocols.IPv4,
        ["ipv6"] = InetProtocols.IPv6,
        ["all"] = InetProtocols.All,
    };

    public static DeliverySettings Read(EnvironmentReader reader)
    {
        var relayHost = ReadRelayHost(reader);
        var relayPort = reader.Read<int>(N.RelayPort, EndpointSyntax.TryParsePort);
        var credentialsEnabled = reader.ReadBoolean(N.RelayCredentialsEnabled);
        var credentials = ReadCredentials(reader, credentialsEnabled, relayHost);
        var relayTls = ReadRelayTls(reader, credentialsEnabled, relayHost);

        return new DeliverySettings
        {
            RelayHost = relayHost,
            RelayPort = relayPort,
            RelayCredentials = credentials,
            RelayTls = relayTls,
            Routes = reader.Read<IReadOnlyDictionary<string, DeliveryRoute>>(N.DeliveryRoutes, DeliveryRoutesSyntax.TryParse),
            DnsServers = ReadDnsServers(reader),
            InetProtocols = reader.ReadChoice(N.InetProtocols, InetChoices),
            RetrySchedule = reader.Read<IReadOnlyList<TimeSpan>>(N.RetrySchedule, ParseRetrySchedule),
            QueueLifetime = reader.ReadPositiveDuration(N.QueueLifetime),
            DelayWarningTime = reader.Read<TimeSpan>(N.DelayWarningTime, DurationSyntax.TryParse) is var warning && warning > TimeSpan.Zero
                ? warning
                : null,
            Concurrency = reader.ReadInteger(N.DeliveryConcurrency, 1, 1000),
            RecipientLimit = reader.ReadInteger(N.DeliveryRecipientLimit, 1, 1000),
            ActiveLimit = reader.ReadInteger(N.QueueActiveLimit, 1, 10_000_000),
        };
    }

    private static string? ReadRelayHost(EnvironmentReader reader)
    {
        var given = reader.Given(N.RelayHost);
        reader.Resolve(N.RelayHost, given ?? string.Empty, fromDefault: given is null);
        if (given is null)
        {
            return null;
        }

        if (!EndpointSyntax.TryParseHost(given, out var host, out var error))
        {
            reader.Error(N.RelayHost, error + " Put the port in RELAY_PORT.");
            return null;
        }

        return host;
    }

    private static RelayCredentials? ReadCredentials(EnvironmentReader reader, bool enabled, string? relayHost)
    {
        var userName = reader.Given(N.RelayUsername)?.Trim();
        var password = reader.Given(N.RelayPassword);
        var passwordFile = reader.Given(N.RelayPasswordFile)?.Trim();
        reader.Resolve(N.RelayUsername, userName ?? string.Empty, fromDefault: userName is null);
        reader.Resolve(N.RelayPassword, password ?? string.Empty, fromDefault: password is null);
        reader.Resolve(N.RelayPasswordFile, passwordFile ?? string.Empty, fromDefault: passwordFile is null);

        if (password is not null && passwordFile is not null)
        {
            reader.Error(N.RelayPasswordFile, $"set either {N.RelayPassword} or {N.RelayPasswordFile}, not both.");
            return null;
        }

        if (passwordFile is not null)
        {
            password = SecretSources.ReadFile(reader, N.RelayPasswordFile, passwordFile);
        }

        // A line break inside a credential would be taken as the end of the AUTH line on the wire.
        if (userName is not null && userName.Any(char.IsControl))
        {
            reader.Error(N.RelayUsername, "contains control characters (such as a line break).");
            userName = null;
        }

        if (password is not null && password.Any(char.IsControl))
        {
            reader.Error(passwordFile is null ? N.RelayPassword : N.RelayPasswordFile, "the password contains control characters (such as a line break).");
            password = null;
        }

        if (!enabled)
        {
            if (userName is not null || password is not null)
            {
                reader.Warn(N.RelayCredentialsEnabled, "relay credentials are set but not used, because RELAY_CREDENTIALS_ENABLED is false.");
            }

            return null;
        }

        if (relayHost is null && !reader.HasError(N.RelayHost))
        {
            reader.Error(N.RelayCredentialsEnabled, $"credentials are for a smarthost, but {N.RelayHost} is not set.");
        }

        if (userName is null && !reader.HasError(N.RelayUsername))
        {
            reader.Error(N.RelayUsername, $"must be set when {N.RelayCredentialsEnabled} is true.");
        }

        if (password is null && !reader.HasError(N.RelayPasswordFile) && !reader.HasError(N.RelayPassword))
        {
            reader.Error(N.RelayPassword, $"{N.RelayPassword} or {N.RelayPasswordFile} must be set when {N.RelayCredentialsEnabled} is true.");
        }

        return userName is null || password is null ? null : new RelayCredentials(userName, password);
    }

    private static RelayTlsMode ReadRelayTls(EnvironmentReader reader, bool credentials, string? relayHost)
    {
        var mode = reader.ReadChoice(N.RelayTls, RelayTlsChoices, credentials ? "required" : "opportunistic");
        if (mode == RelayTlsMode.None && credentials && (relayHost is null || !EndpointSyntax.IsLoopbackHost(relayHost)))
        {
            reader.Error(N.RelayTls, "'none' would send the relay password in clear text; use 'required' (allowed only when RELAY_HOST is loopback).");
        }

        return mode;
    }

    private static List<IPEndPoint> ReadDnsServers(EnvironmentReader reader)
    {
        var given = reader.Given(N.DnsServers);
        reader.Resolve(N.DnsServers, given ?? string.Empty, fromDefault: given is null);
        var servers = new List<IPEndPoint>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            if (EndpointSyntax.TryParseIPEndPoint(entry, 53, out var endPoint, out var error))
            {
                servers.Add(endPoint);
            }
            else
            {
                problems.Add(error);
            }
        }

        if (problems.Count > 0)
        {
            reader.Error(N.DnsServers, string.Join("; ", problems));
        }

        return servers;
    }

    private static bool ParseRetrySchedule(string text, out IReadOnlyList<TimeSpan> value, out string error)
    {
        var delays = new List<TimeSpan>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(text))
        {
            if (DurationSyntax.TryParsePositive(entry, out var delay, out var entryError))
            {
                delays.Add(delay);
            }
            else
            {
                problems.Add(entryError);
            }
        }

        if (delays.Count == 0 && problems.Count == 0)
        {
            problems.Add("at least one delay is needed");
        }

        value = delays;
        error = string.Join("; ", problems);
        return problems.Count == 0;
    }
}
