using System.Net;
using System.Net.Sockets;

namespace MailRelay.Smtp.Net;

/// <summary>
/// A set of CIDR ranges (IPv4 and IPv6). IPv4-mapped IPv6 addresses (<c>::ffff:10.1.2.3</c>) match the
/// IPv4 ranges, and ranges written in mapped form match plain IPv4 addresses, so a dual-stack socket
/// never lets a client slip past (or out of) a range by its address family.
/// </summary>
public sealed class NetworkList
{
    private readonly IPNetwork[] _networks;

    public NetworkList(IEnumerable<IPNetwork> networks)
    {
        _networks = networks.Select(Canonical).Distinct().ToArray();
    }

    public static NetworkList Empty { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks => _networks;

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>
    /// Parses a comma-separated list of CIDRs or single addresses. Throws <see cref="FormatException"/>
    /// naming the bad entry.
    /// </summary>
    public static NetworkList Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var networks = new List<IPNetwork>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            networks.Add(ParseOne(raw));
        }

        return new NetworkList(networks);
    }

    /// <summary>Parses one CIDR (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or a single address.</summary>
    public static IPNetwork ParseOne(string raw)
    {
        var slash = raw.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? raw : raw[..slash];
        if (addressText.StartsWith('[') && addressText.EndsWith(']'))
        {
            addressText = addressText[1..^1];
        }

        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            throw new FormatException($"'{raw}' is not an IP address or CIDR range.");
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            RefuseShortForms(raw, addressText, slash < 0 ? string.Empty : raw[slash..]);
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(raw.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix))
        {
            throw new FormatException($"'{raw}' has a prefix length that is not 0 to {maxPrefix}.");
        }

        var network = new IPNetwork(MaskAddress(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            throw new FormatException($"'{raw}' has host bits set; did you mean {network}?");
        }

        return network;
    }

    public bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => string.Join(",", _networks.Select(n => n.ToString()));

    /// <summary>A range in IPv4-mapped form (<c>::ffff:0:0/96</c> and longer) becomes the IPv4 range it covers.</summary>
    private static IPNetwork Canonical(IPNetwork network)
    {
        if (network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96)
        {
            return new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96);
        }

        return network;
    }

    /// <summary>
    /// IPAddress.Parse takes inet_aton forms, where <c>10/8</c> is 0.0.0.10 and <c>192.168.1/24</c> is
    /// 192.168.0.1; nobody writing a range means that, so only four decimal parts are accepted and a
    /// short form is refused with its missing octets filled with zeros on the right (and, when that leaves host
    /// bits set under the prefix, the network the prefix makes of it).
    /// </summary>
    private static void RefuseShortForms(string raw, string addressText, string prefixText)
    {
        var parts = addressText.Split('.');
        if (parts.Length == 4 && parts.All(IsPlainOctet))
        {
            return;
        }

        if (parts.Length < 4 && parts.All(IsPlainOctet))
        {
            var padded = string.Join('.', parts.Concat(Enumerable.Repeat("0", 4 - parts.Length)));
            var meant = padded + prefixText;
            if (prefixText.Length > 1
                && int.TryParse(prefixText.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
                && prefix <= 32)
            {
                // The hint must itself be accepted: 1.2/8 completes to 1.2.0.0/8, whose host bits are set.
                meant = new IPNetwork(MaskAddress(IPAddress.Parse(padded), prefix), prefix).ToString();
            }

            throw new FormatException($"'{raw}' is not a four-part IPv4 address; did you mean {meant}?");
        }

        throw new FormatException($"'{raw}' is not a four-part decimal IPv4 address (such as 10.0.0.0/8).");
    }

    private static bool IsPlainOctet(string part) =>
        part.Length is > 0 and <= 3 && part.All(char.IsAsciiDigit) && (part.Length == 1 || part[0] != '0')
        && int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) <= 255;

    private static IPAddress MaskAddress(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }

        return new IPAddress(bytes);
    }
}
