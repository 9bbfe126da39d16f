using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailRelay.Smtp.Protocol;

/// <summary>
/// RFC 5321 §4.1.2 paths: <c>&lt;local@domain&gt;</c>, the null path, quoted local parts, address
/// literals, source routes (accepted and dropped, §C), and RFC 6531 UTF-8 addresses when allowed.
/// </summary>
public static class MailboxParser
{
    private const int MaxDomainLength = 255;
    private const int MaxLabelLength = 63;

    /// <summary>
    /// Parses a path at the start of <paramref name="text"/> (one optional leading space is tolerated).
    /// <paramref name="address"/> is the mailbox without brackets (empty for <c>&lt;&gt;</c>);
    /// <paramref name="rest"/> is what follows the closing bracket, leading spaces removed.
    /// </summary>
    public static PathParseStatus TryParsePath(string text, bool allowUtf8, bool allowNull, bool allowPostmaster, out string address, out string rest)
    {
        address = string.Empty;
        rest = string.Empty;
        var start = text.StartsWith(' ') ? 1 : 0;
        if (start >= text.Length || text[start] != '<')
        {
            return PathParseStatus.Syntax;
        }

        var close = FindClosingBracket(text, start + 1);
        if (close < 0)
        {
            return PathParseStatus.Syntax;
        }

        if (close + 1 < text.Length && text[close + 1] != ' ')
        {
            return PathParseStatus.Syntax;
        }

        var inner = text[(start + 1)..close];
        rest = text[(close + 1)..].TrimStart(' ');

        if (inner.Length == 0)
        {
            return allowNull ? PathParseStatus.Ok : PathParseStatus.Syntax;
        }

        if (!allowUtf8 && ContainsNonAscii(inner))
        {
            return PathParseStatus.NonAsciiWithoutSmtpUtf8;
        }

        if (allowPostmaster && inner.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            address = inner;
            return PathParseStatus.Ok;
        }

        var mailbox = inner;
        if (mailbox.StartsWith('@'))
        {
            var colon = mailbox.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !IsValidSourceRoute(mailbox[..colon], allowUtf8))
            {
                return PathParseStatus.Syntax;
            }

            mailbox = mailbox[(colon + 1)..];
        }

        if (!IsValidMailbox(mailbox, allowUtf8))
        {
            return PathParseStatus.Syntax;
        }

        address = mailbox;
        return PathParseStatus.Ok;
    }

    /// <summary>Whether <paramref name="mailbox"/> is <c>local-part@domain</c> per RFC 5321 (and RFC 6531 when allowed).</summary>
    public static bool IsValidMailbox(string mailbox, bool allowUtf8)
    {
        var at = FindLocalPartEnd(mailbox, allowUtf8);
        if (at <= 0 || at >= mailbox.Length - 1 || mailbox[at] != '@')
        {
            return false;
        }

        return IsValidDomainOrLiteral(mailbox[(at + 1)..], allowUtf8);
    }

    /// <summary>A domain name of LDH labels (U-labels with UTF-8), or an IPv4 / IPv6 address literal.</summary>
    public static bool IsValidDomainOrLiteral(string domain, bool allowUtf8)
    {
        if (domain.StartsWith('['))
        {
            return IsValidAddressLiteral(domain);
        }

        if (domain.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(domain) > MaxDomainLength)
        {
            return false;
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                var ok = char.IsAsciiLetterOrDigit(c) || c == '-' || (allowUtf8 && c > 127 && !char.IsControl(c) && !char.IsWhiteSpace(c));
                if (!ok)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsValidAddressLiteral(string literal)
    {
        if (literal.Length < 3 || literal[^1] != ']')
        {
            return false;
        }

        var content = literal[1..^1];
        if (content.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            var v6 = content[5..];
            return v6.Contains(':', StringComparison.Ordinal)
                && IPAddress.TryParse(v6, out var parsed)
                && parsed.AddressFamily == AddressFamily.InterNetworkV6
                && !v6.Contains('%', StringComparison.Ordinal);
        }

        var parts = content.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit)
                || int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidSourceRoute(string route, bool allowUtf8)
    {
        foreach (var hop in route.Split(','))
        {
            if (hop.Length < 2 || hop[0] != '@' || !IsValidDomainOrLiteral(hop[1..], allowUtf8))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Index of the '@' that ends a valid local part, or -1.</summary>
    private static int FindLocalPartEnd(string mailbox, bool allowUtf8)
    {
        if (mailbox.Length == 0)
        {
            return -1;
        }

        if (mailbox[0] == '"')
        {
            var i = 1;
            while (i < mailbox.Length)
            {
                var c = mailbox[i];
                if (c == '\\')
                {
                    if (i + 1 >= mailbox.Length || !IsQuotedPairChar(mailbox[i + 1], allowUtf8))
                    {
                        return -1;
                    }

                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    return i + 1 < mailbox.Length && mailbox[i + 1] == '@' ? i + 1 : -1;
                }

                if (!IsQuotedTextChar(c, allowUtf8))
                {
                    return -1;
                }

                i++;
            }

            return -1;
        }

        var previousDot = true;
        for (var i = 0; i < mailbox.Length; i++)
        {
            var c = mailbox[i];
            if (c == '@')
            {
                return previousDot ? -1 : i;
            }

            if (c == '.')
            {
                if (previousDot)
                {
                    return -1;
                }

                previousDot = true;
                continue;
            }

            if (!IsAtomChar(c, allowUtf8))
            {
                return -1;
            }

            previousDot = false;
        }

        return -1;
    }

    private static bool IsAtomChar(char c, bool allowUtf8) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal)
        || (allowUtf8 && c > 127 && !char.IsControl(c) && !char.IsWhiteSpace(c));

    private static bool IsQuotedTextChar(char c, bool allowUtf8) =>
        (c >= 32 && c <= 126 && c != '"' && c != '\\') || (allowUtf8 && c > 127 && !char.IsControl(c));

    private static bool IsQuotedPairChar(char c, bool allowUtf8) =>
        (c >= 32 && c <= 126) || (allowUtf8 && c > 127 && !char.IsControl(c));

    private static bool ContainsNonAscii(string text) => text.Any(c => c > 127);

    /// <summary>The closing '&gt;' of a path, skipping quoted strings and quoted pairs.</summary>
    private static int FindClosingBracket(string text, int from)
    {
        var quoted = false;
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '\\')
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '>')
            {
                return i;
            }
            else if (!quoted && (c == '<' || c == ' '))
            {
                return -1;
            }
        }

        return -1;
    }
}
