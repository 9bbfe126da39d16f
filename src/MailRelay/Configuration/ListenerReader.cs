using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailRelay.Configuration.Syntax;
using MailRelay.Smtp.Net;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads what the daemon binds and whom it trusts: listeners, networks, TLS files, the admin endpoint.</summary>
internal static class ListenerReader
{
    public static IReadOnlyList<ListenerEndpoint> ReadListeners(EnvironmentReader reader)
    {
        var listeners = reader.Read(N.SmtpListeners, (string text, out IReadOnlyList<ListenerEndpoint> value, out string error) =>
        {
            var parsed = new List<ListenerEndpoint>();
            var problems = new List<string>();
            foreach (var entry in ListSyntax.Split(text))
            {
                if (!ListenerSyntax.TryParse(entry, out var listener, out var entryError))
                {
                    problems.Add(entryError);
                    continue;
                }

                var clash = parsed.FirstOrDefault(p => ListenerSyntax.Conflict(p.EndPoint, listener.EndPoint));
                if (clash is not null)
                {
                    problems.Add($"'{entry}' uses the same address and port as '{clash}'");
                    continue;
                }

                parsed.Add(listener);
            }

            if (parsed.Count == 0 && problems.Count == 0)
            {
                problems.Add("at least one listener is needed");
            }

            value = parsed;
            error = string.Join("; ", problems);
            return problems.Count == 0;
        });
        return listeners;
    }

    /// <summary>A CIDR list; <c>0.0.0.0/0</c> and <c>::/0</c> only with ALLOW_OPEN_RELAY_NETWORKS.</summary>
    public static NetworkList ReadNetworks(EnvironmentReader reader, string name, bool allowEverything)
    {
        var given = reader.Given(name);
        var text = given ?? ConfigurationRegistry.Find(name)!.LiteralDefault ?? string.Empty;
        reader.Resolve(name, given ?? (text.Length == 0 ? "none" : text), fromDefault: given is null);
        if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return NetworkList.Empty;
        }

        NetworkList networks;
        try
        {
            networks = NetworkList.Parse(text);
        }
        catch (FormatException exception)
        {
            reader.Error(name, exception.Message);
            return NetworkList.Empty;
        }

        // Not FirstOrDefault: a default IPNetwork reads as 0.0.0.0/0, the very value looked for.
        var everything = networks.Networks.Where(n => n.PrefixLength == 0).Select(n => n.ToString()).FirstOrDefault();
        if (everything is not null && !allowEverything)
        {
            reader.Error(name, $"'{everything}' matches every address, which would make this an open relay; set {N.AllowOpenRelayNetworks}=true if that is really meant.");
            return NetworkList.Empty;
        }

        if (everything is not null)
        {
            reader.Warn(name, $"'{everything}' matches every address: this is an open relay ({N.AllowOpenRelayNetworks}=true).");
        }

        return networks;
    }

    public static TlsCertificateFiles? ReadTls(EnvironmentReader reader)
    {
        var certificate = reader.Given(N.TlsCertFile)?.Trim();
        var key = reader.Given(N.TlsKeyFile)?.Trim();
        reader.Resolve(N.TlsCertFile, certificate ?? string.Empty, fromDefault: certificate is null);
        reader.Resolve(N.TlsKeyFile, key ?? string.Empty, fromDefault: key is null);
        if (certificate is null && key is null)
        {
            return null;
        }

        if (certificate is null || key is null)
        {
            reader.Error(certificate is null ? N.TlsCertFile : N.TlsKeyFile, $"{N.TlsCertFile} and {N.TlsKeyFile} must be set together.");
            return null;
        }

        var readable = FileChecks.CheckReadable(reader, N.TlsCertFile, certificate) & FileChecks.CheckReadable(reader, N.TlsKeyFile, key);
        if (!readable)
        {
            return null;
        }

        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            reader.Error(N.TlsCertFile, $"the certificate '{certificate}' and key '{key}' do not load as a PEM pair: {exception.Message}");
            return null;
        }

        return new TlsCertificateFiles(certificate, key);
    }

    public static IPEndPoint? ReadAdmin(EnvironmentReader reader, IReadOnlyList<ListenerEndpoint> listeners)
    {
        var admin = reader.Read(N.AdminListen, (string text, out IPEndPoint? value, out string error) =>
        {
            value = null;
            error = string.Empty;
            if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (!EndpointSyntax.TryParseAddressAndPort(text, out var address, out var port, out error))
            {
                return false;
            }

            if (address is null)
            {
                error = $"'{text}' needs an address, e.g. 127.0.0.1:{port} or [::]:{port}.";
                return false;
            }

            value = new IPEndPoint(address, port);
            return true;
        });

        var clash = admin is null ? null : listeners.FirstOrDefault(l => ListenerSyntax.Conflict(l.EndPoint, admin));
        if (clash is not null)
        {
            reader.Error(N.AdminListen, $"uses the same address and port as the SMTP listener '{clash}'.");
        }

        return admin;
    }
}
