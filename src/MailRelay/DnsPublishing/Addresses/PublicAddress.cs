using System.Net;
using System.Net.Sockets;

namespace MailRelay.DnsPublishing.Addresses;

/// <summary>Which addresses can stand in an A record or an SPF ip4:/ip6: for mail from the Internet.</summary>
public static class PublicAddress
{
    /// <summary>
    /// False for loopback, unspecified, link-local, RFC 1918, shared (100.64/10, RFC 6598), unique-local (fc00::/7)
    /// and multicast addresses: a detector that answers one of those has seen the relay from inside a network.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || b[0] >= 224
                || b[0] == 0);
        }

        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal);
    }
}
