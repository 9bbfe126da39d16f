using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRelay.Dnsbl;

/// <summary>The names a blocklist is asked for (RFC 5782 §2.1, §2.4, §2.2).</summary>
public static class DnsblQueryName
{
    /// <summary>
    /// An IPv4 address as its octets in reverse (<c>192.0.2.99</c> → <c>99.2.0.192</c>); an IPv6 address as its 32
    /// nibbles in reverse, one hexadecimal digit a label; an IPv4-mapped IPv6 address as the IPv4 address it carries.
    /// </summary>
    public static string Reverse(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return string.Join('.', bytes.Reverse().Select(b => b.ToString(CultureInfo.InvariantCulture)));
        }

        var name = new StringBuilder(63);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (name.Length > 0)
            {
                name.Append('.');
            }

            name.Append("0123456789abcdef"[bytes[i] & 0xF]).Append('.').Append("0123456789abcdef"[bytes[i] >> 4]);
        }

        return name.ToString();
    }

    /// <summary>The name to ask <paramref name="list"/> about <paramref name="target"/> (an address or a domain).</summary>
    public static string For(DnsblList list, string target)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(target);
        var prefix = list.Kind == DnsblListKind.Ip ? Reverse(IPAddress.Parse(target)) : target.TrimEnd('.');
        return $"{prefix}.{list.Zone}.";
    }
}
