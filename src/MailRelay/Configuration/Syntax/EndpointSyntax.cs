using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailRelay.Configuration.Syntax;

/// <summary>
/// <c>address:port</c> and <c>host:port</c> forms. IPv6 addresses go in brackets when a port follows
/// (<c>[::1]:25</c>), so a colon is never ambiguous.
/// </summary>
public static class EndpointSyntax
{
    public static bool TryParsePort(string text, out int port, out string error) => TryParsePort(text, allowEphemeral: false, out port, out error);

    /// <summary>
    /// A port number; with <paramref name="allowEphemeral"/> (listeners only) 0 asks the kernel for a free
    /// port, which the daemon prints in its ready line — meant for tests and benchmarks.
    /// </summary>
    public static bool TryParsePort(string text, bool allowEphemeral, out int port, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = string.Empty;
        var lowest = allowEphemeral ? 0 : 1;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= lowest && port <= 65535)
        {
            return true;
        }

        error = $"'{text}' is not a port number ({lowest} to 65535).";
        return false;
    }

    /// <summary>
    /// <c>[address:]port</c>; <paramref name="address"/> is null when the text is a bare port.
    /// Host names are refused: a listener binds an address.
    /// </summary>
    public static bool TryParseAddressAndPort(string text, out IPAddress? address, out int port, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        port = 0;
        var trimmed = text.Trim();
        string? addressText;
        string portText;
        if (trimmed.StartsWith('['))
        {
            var close = trimmed.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= trimmed.Length || trimmed[close + 1] != ':')
            {
                error = $"'{text}' is not [IPv6 address]:port.";
                return false;
            }

            addressText = trimmed[1..close];
            portText = trimmed[(close + 2)..];
        }
        else
        {
            var colons = trimmed.Count(c => c == ':');
            if (colons > 1)
            {
                error = $"'{text}': write an IPv6 address in brackets, e.g. [::]:25.";
                return false;
            }

            var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
            addressText = colon < 0 ? null : trimmed[..colon];
            portText = colon < 0 ? trimmed : trimmed[(colon + 1)..];
        }

        if (addressText is not null && !TryParseAddress(addressText, out address))
        {
            error = $"'{text}': '{addressText}' is not an IP address.";
            return false;
        }

        return TryParsePort(portText, allowEphemeral: true, out port, out error);
    }

    /// <summary><c>IP[:port]</c> (IPv6 bare, or in brackets with a port).</summary>
    public static bool TryParseIPEndPoint(string text, int defaultPort, out IPEndPoint endPoint, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        endPoint = new IPEndPoint(IPAddress.None, 0);
        var trimmed = text.Trim();
        if (TryParseAddress(trimmed, out var bare))
        {
            endPoint = new IPEndPoint(bare, defaultPort);
            error = string.Empty;
            return true;
        }

        if (!trimmed.Contains(':', StringComparison.Ordinal))
        {
            error = $"'{text}' is not an IP address.";
            return false;
        }

        if (!TryParseAddressAndPort(trimmed, out var address, out var port, out error))
        {
            return false;
        }

        if (address is null)
        {
            error = $"'{text}' has no address.";
            return false;
        }

        // A peer to connect to: port 0, which only a listener may ask for, is no port at all here.
        if (port == 0)
        {
            error = $"'{text}': '0' is not a port number (1 to 65535).";
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary><c>host[:port]</c> where host is a DNS name, an IPv4 address or a bracketed IPv6 address.</summary>
    public static bool TryParseHostAndPort(string text, int defaultPort, out string host, out int port, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        host = string.Empty;
        port = defaultPort;
        if (trimmed.StartsWith('[') || TryParseAddress(trimmed, out _))
        {
            if (!TryParseIPEndPoint(trimmed, defaultPort, out var endPoint, out error))
            {
                return false;
            }

            host = endPoint.Address.ToString();
            port = endPoint.Port;
            return true;
        }

        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var hostText = colon < 0 ? trimmed : trimmed[..colon];
        if (colon >= 0 && !TryParsePort(trimmed[(colon + 1)..], out port, out error))
        {
            error = $"'{text}': {error}";
            return false;
        }

        if (!TryParseHost(hostText, out host, out error))
        {
            return false;
        }

        return true;
    }

    /// <summary>A DNS name or an IP address (IPv6 with or without brackets); returned in canonical form.</summary>
    public static bool TryParseHost(string text, out string host, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var unbracketed = trimmed.StartsWith('[') && trimmed.EndsWith(']') ? trimmed[1..^1] : trimmed;
        if (TryParseAddress(unbracketed, out var address))
        {
            host = address.ToString();
            error = string.Empty;
            return true;
        }

        if (DomainNameSyntax.TryParse(trimmed, requireDot: false, out host, out _))
        {
            error = string.Empty;
            return true;
        }

        error = $"'{text}' is neither a host name nor an IP address.";
        return false;
    }

    /// <summary>True for <c>localhost</c> and loopback addresses.</summary>
    public static bool IsLoopbackHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (TryParseAddress(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Formats an endpoint the way this syntax reads it (IPv6 in brackets).</summary>
    public static string Format(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";
    }

    // IPAddress.TryParse accepts "1" as 0.0.0.1, scope ids, and "[v6]:port" with the port dropped;
    // configuration wants dotted quads, no zones, and ports handled here.
    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || text.AsSpan().IndexOfAny("%[]") >= 0 || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3)
        {
            return false;
        }

        address = parsed;
        return true;
    }
}
