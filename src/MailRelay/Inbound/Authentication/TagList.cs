namespace MailRelay.Inbound.Authentication;

/// <summary>The <c>tag=value; tag=value</c> syntax of DKIM signatures and keys (RFC 6376 §3.2) and DMARC records (RFC 7489 §6.4).</summary>
public static class TagList
{
    /// <summary>
    /// Tags by name (case-sensitive, as both RFCs have them), values with folding white space removed; a duplicated tag
    /// keeps its first value and is reported through <paramref name="duplicate"/>.
    /// </summary>
    public static Dictionary<string, string> Parse(string text, out bool duplicate)
    {
        ArgumentNullException.ThrowIfNull(text);
        duplicate = false;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = part[..equals].Trim();
            var value = string.Concat(part[(equals + 1)..].Where(c => !char.IsWhiteSpace(c)));
            if (!tags.TryAdd(name, value))
            {
                duplicate = true;
            }
        }

        return tags;
    }

    public static string? Value(string text, string tag) => Parse(text, out _).GetValueOrDefault(tag);
}
