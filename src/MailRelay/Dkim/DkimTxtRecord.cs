using System.Text;

namespace MailRelay.Dkim;

/// <summary>
/// The DKIM key record (RFC 6376 §3.6.1) in zone-file form, and reading it back from a record file that
/// we or opendkim-genkey wrote: the value is the concatenation of every quoted string in the file.
/// </summary>
public static class DkimTxtRecord
{
    /// <summary>DNS character-strings hold at most 255 octets (RFC 1035 §3.3).</summary>
    public const int MaxStringLength = 255;

    public static string OwnerName(string domain, string selector) => $"{selector}._domainkey.{domain}.";

    /// <summary>The record's value as one string, for DNS provider forms that take it unsplit.</summary>
    public static string Value(string publicKeyBase64) => "v=DKIM1; k=rsa; p=" + publicKeyBase64;

    /// <summary>The value as character-strings: the tags, then the key in pieces of at most 255 octets.</summary>
    public static IReadOnlyList<string> Strings(string publicKeyBase64)
    {
        ArgumentNullException.ThrowIfNull(publicKeyBase64);
        var strings = new List<string> { "v=DKIM1; k=rsa; " };
        strings.AddRange(Split("p=" + publicKeyBase64));
        return strings;
    }

    /// <summary>The zone-file line: <c>sel._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; " "p=…" )</c>.</summary>
    public static string ZoneLine(string domain, string selector, string publicKeyBase64) =>
        $"{OwnerName(domain, selector)} IN TXT ( {string.Join(' ', Strings(publicKeyBase64).Select(s => "\"" + s + "\""))} )";

    /// <summary>Splits an ASCII value into character-strings of at most <see cref="MaxStringLength"/> octets.</summary>
    public static IReadOnlyList<string> Split(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var pieces = new List<string>();
        for (var start = 0; start < value.Length; start += MaxStringLength)
        {
            pieces.Add(value.Substring(start, Math.Min(MaxStringLength, value.Length - start)));
        }

        return pieces;
    }

    /// <summary>The record value in a record file: every quoted string joined; null when there is none.</summary>
    public static string? ReadValue(string fileText)
    {
        ArgumentNullException.ThrowIfNull(fileText);
        var value = new StringBuilder();
        var found = false;
        var inString = false;
        for (var i = 0; i < fileText.Length; i++)
        {
            var c = fileText[i];
            if (!inString)
            {
                if (c == ';')
                {
                    // A zone-file comment runs to the end of the line (opendkim-genkey ends its record with one).
                    while (i < fileText.Length && fileText[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (c == '"')
                {
                    inString = true;
                    found = true;
                }

                continue;
            }

            if (c == '\\' && i + 1 < fileText.Length)
            {
                value.Append(fileText[++i]);
            }
            else if (c == '"')
            {
                inString = false;
            }
            else
            {
                value.Append(c);
            }
        }

        return found ? value.ToString() : null;
    }

    /// <summary>The tag=value pairs of a record value (RFC 6376 §3.2), names lower case, values without whitespace.</summary>
    public static IReadOnlyDictionary<string, string> ParseTags(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = part[..equals].Trim().ToLowerInvariant();
            var tagValue = string.Concat(part[(equals + 1)..].Where(c => !char.IsWhiteSpace(c)));
            tags.TryAdd(name, tagValue);
        }

        return tags;
    }
}
