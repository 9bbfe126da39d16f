using System.Text;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// Converts between a TXT record's logical value (its character-strings joined, as <see cref="DnsRecord"/> holds
/// it) and Cloudflare's <c>content</c>, which is zone-file text: Cloudflare asks for quoted RFC 1035
/// character-strings of at most 255 octets each, and keeps whatever form it was given, so content written by hand
/// or by other tools may be quoted, split or bare.
/// </summary>
internal static class CloudflareTxtContent
{
    /// <summary>RFC 1035 §3.3: a character-string is a length octet and at most 255 octets of data.</summary>
    public const int MaxStringOctets = 255;

    /// <summary>
    /// Quotes <paramref name="value"/> as one or more character-strings separated by a space, each at most
    /// <see cref="MaxStringOctets"/> octets of UTF-8 (never splitting a character), with <c>"</c> and <c>\</c>
    /// escaped. Always quoted, short values too, because that is the form Cloudflare documents and returns.
    /// </summary>
    public static string Format(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 8);
        text.Append('"');
        var octets = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (octets + rune.Utf8SequenceLength > MaxStringOctets)
            {
                text.Append("\" \"");
                octets = 0;
            }

            if (rune.Value is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(rune.ToString());
            octets += rune.Utf8SequenceLength;
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// The logical value of <paramref name="content"/>: quoted character-strings are unescaped and joined without
    /// separators; content that is not wholly a sequence of quoted strings (a bare value) is taken as it is.
    /// </summary>
    public static string Join(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return TryJoinQuoted(content, out var joined) ? joined : content;
    }

    private static bool TryJoinQuoted(string content, out string joined)
    {
        joined = string.Empty;
        var octets = new List<byte>(content.Length);
        var strings = 0;
        var i = 0;
        while (true)
        {
            while (i < content.Length && char.IsWhiteSpace(content[i]))
            {
                i++;
            }

            if (i == content.Length)
            {
                break;
            }

            if (content[i] != '"' || !TryReadQuoted(content, ref i, octets))
            {
                return false;
            }

            strings++;
            if (i < content.Length && !char.IsWhiteSpace(content[i]))
            {
                return false;
            }
        }

        if (strings == 0)
        {
            return false;
        }

        joined = Encoding.UTF8.GetString([.. octets]);
        return true;
    }

    /// <summary>Reads one quoted string starting at the opening quote; on success <paramref name="i"/> is past the closing quote.</summary>
    private static bool TryReadQuoted(string content, ref int i, List<byte> octets)
    {
        Span<byte> utf8 = stackalloc byte[4];
        i++;
        while (i < content.Length)
        {
            var c = content[i];
            if (c == '"')
            {
                i++;
                return true;
            }

            if (c == '\\')
            {
                i++;
                if (i == content.Length)
                {
                    return false;
                }

                if (TryReadDecimalEscape(content, i, out var octet))
                {
                    octets.Add(octet);
                    i += 3;
                    continue;
                }
            }

            if (Rune.DecodeFromUtf16(content.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            var length = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < length; k++)
            {
                octets.Add(utf8[k]);
            }

            i += consumed;
        }

        return false;
    }

    /// <summary>RFC 1035 §5.1 <c>\DDD</c>: an octet given as three decimal digits.</summary>
    private static bool TryReadDecimalEscape(string content, int i, out byte octet)
    {
        octet = 0;
        if (i + 3 > content.Length || !char.IsAsciiDigit(content[i]) || !char.IsAsciiDigit(content[i + 1]) || !char.IsAsciiDigit(content[i + 2]))
        {
            return false;
        }

        var value = ((content[i] - '0') * 100) + ((content[i + 1] - '0') * 10) + (content[i + 2] - '0');
        if (value > byte.MaxValue)
        {
            return false;
        }

        octet = (byte)value;
        return true;
    }
}
