using System.Net;

namespace MailRelay.Configuration.Syntax;

/// <summary>One <c>SMTP_LISTENERS</c> entry: <c>[address:]port[/proxy][/tls]</c>.</summary>
public static class ListenerSyntax
{
    public static bool TryParse(string text, out ListenerEndpoint listener, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        listener = new ListenerEndpoint(new IPEndPoint(IPAddress.None, 0), false, false);
        var parts = text.Trim().Split('/');
        if (!EndpointSyntax.TryParseAddressAndPort(parts[0], out var address, out var port, out error))
        {
            return false;
        }

        var proxy = false;
        var tls = false;
        foreach (var flag in parts.Skip(1))
        {
            var seen = flag.Trim().ToUpperInvariant() switch
            {
                "PROXY" => Set(ref proxy),
                "TLS" => Set(ref tls),
                _ => (bool?)null,
            };
            if (seen is null)
            {
                error = $"'{text}': unknown flag '/{flag}' (expected /proxy or /tls).";
                return false;
            }

            if (seen == false)
            {
                error = $"'{text}': flag '/{flag}' is given twice.";
                return false;
            }
        }

        // No address: bind every address, IPv6 and IPv4 alike, through one dual-stack socket.
        listener = new ListenerEndpoint(new IPEndPoint(address ?? IPAddress.IPv6Any, port), proxy, tls);
        return true;
    }

    /// <summary>True when the two endpoints cannot both be bound: same port and same or overlapping addresses.</summary>
    public static bool Conflict(IPEndPoint a, IPEndPoint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Port != b.Port || a.Port == 0)
        {
            return false;
        }

        return a.Address.Equals(b.Address)
            || a.Address.Equals(IPAddress.IPv6Any)
            || b.Address.Equals(IPAddress.IPv6Any)
            || (a.Address.Equals(IPAddress.Any) && b.AddressFamily == a.AddressFamily)
            || (b.Address.Equals(IPAddress.Any) && a.AddressFamily == b.AddressFamily);
    }

    // Returns false when the flag was already set, so a repeated flag is reported.
    private static bool Set(ref bool flag)
    {
        var wasSet = flag;
        flag = true;
        return !wasSet;
    }
}
