namespace MailRelay.Smtp.Protocol;

/// <summary>The <c>KEY[=VALUE]</c> list after a MAIL or RCPT path (RFC 5321 §4.1.2 esmtp-param).</summary>
public sealed class EsmtpParameters
{
    private readonly Dictionary<string, string?> values;

    private EsmtpParameters(Dictionary<string, string?> values)
    {
        this.values = values;
    }

    public IEnumerable<string> Keywords => values.Keys;

    public int Count => values.Count;

    /// <summary>Parses space-separated parameters; null when one is malformed or repeated.</summary>
    public static EsmtpParameters? Parse(string text)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var keyword = equals < 0 ? item : item[..equals];
            var value = equals < 0 ? null : item[(equals + 1)..];
            if (!IsKeyword(keyword) || value is { Length: 0 } || value?.Any(c => c is '=' or < '!' or > '~' && c <= 127) == true)
            {
                return null;
            }

            if (!values.TryAdd(keyword.ToUpperInvariant(), value))
            {
                return null;
            }
        }

        return new EsmtpParameters(values);
    }

    public bool Contains(string keyword) => values.ContainsKey(keyword);

    public string? Value(string keyword) => values.TryGetValue(keyword, out var value) ? value : null;

    private static bool IsKeyword(string keyword) =>
        keyword.Length > 0 && char.IsAsciiLetterOrDigit(keyword[0]) && keyword.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
