using System.Globalization;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// The character-strings of a TXT record (RFC 1035 §3.3.14: each at most 255 octets). <see cref="DnsRecord.Value"/>
/// holds them joined; a write splits the value into 255-octet strings. A DELETE must name the RR's data exactly,
/// strings and all, so a record read with another split (<c>"v=spf1 " "-all"</c>, made by hand) remembers its
/// string lengths in <see cref="DnsRecord.ProviderId"/> (<c>strings=7,4</c>) and is deleted in that form.
/// </summary>
internal static class TxtStrings
{
    /// <summary>The longest character-string.</summary>
    public const int MaxLength = 255;

    private const string LayoutPrefix = "strings=";

    /// <summary>The strings to send for a TXT value, in the layout <paramref name="providerId"/> remembers if any.</summary>
    /// <exception cref="DnsProviderException">The value has characters outside ASCII, which the wire form here cannot carry.</exception>
    public static IReadOnlyList<string> Split(string name, string value, string? providerId)
    {
        // The DNS library writes strings as ASCII and would turn anything else into '?' without a word.
        if (value.Any(c => c > '\u007f'))
        {
            throw new DnsProviderException($"The TXT value at {name} has characters outside ASCII; RFC 2136 updates here carry ASCII text only.");
        }

        return Layout(providerId, value.Length) is { } lengths ? Cut(value, lengths) : Cut(value, Canonical(value.Length));
    }

    /// <summary>The joined value and the provider id that remembers a non-canonical layout (null for the canonical one).</summary>
    public static (string Value, string? ProviderId) Join(IReadOnlyList<string> strings)
    {
        var value = string.Concat(strings);
        var lengths = strings.Select(s => s.Length).ToList();
        return lengths.SequenceEqual(Canonical(value.Length))
            ? (value, null)
            : (value, LayoutPrefix + string.Join(',', lengths.Select(length => length.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>255-octet strings and a shorter last one; one empty string for an empty value.</summary>
    private static List<int> Canonical(int length)
    {
        var lengths = new List<int>();
        for (var left = length; left > MaxLength; left -= MaxLength)
        {
            lengths.Add(MaxLength);
        }

        lengths.Add(length % MaxLength == 0 && length > 0 ? MaxLength : length % MaxLength);
        return lengths;
    }

    /// <summary>The lengths a provider id names, if they fit the value; otherwise null (the value is split afresh).</summary>
    private static List<int>? Layout(string? providerId, int valueLength)
    {
        if (providerId is null || !providerId.StartsWith(LayoutPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var lengths = new List<int>();
        foreach (var part in providerId[LayoutPrefix.Length..].Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxLength)
            {
                return null;
            }

            lengths.Add(length);
        }

        return lengths.Sum() == valueLength ? lengths : null;
    }

    private static List<string> Cut(string value, List<int> lengths)
    {
        var strings = new List<string>(lengths.Count);
        var start = 0;
        foreach (var length in lengths)
        {
            strings.Add(value.Substring(start, length));
            start += length;
        }

        return strings;
    }
}
