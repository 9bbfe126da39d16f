using System.Text;
using System.Text.RegularExpressions;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// Writes the <c>Authentication-Results</c> field (RFC 8601): the authserv-id, then one resinfo per method, each
/// <c>method=result (comment) ptype.property=value</c>, separated by <c>;</c>, folded at white space so that no line
/// passes 78 characters. Values taken from the message (d=, s=, b=) are written only when they are plain tokens, and
/// quoted when they hold a character a token may not, so that a signature cannot inject a result of its own.
/// </summary>
public sealed partial class AuthenticationResultsField
{
    public const string FieldName = "Authentication-Results";
    private const int MaxLineLength = 78;

    private readonly string _authServId;
    private readonly List<List<string>> _results = [];

    public AuthenticationResultsField(string authServId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(authServId);
        _authServId = authServId;
    }

    /// <param name="comment">Text of our own (never from the message), written in parentheses.</param>
    /// <param name="properties">ptype.property and value pairs; a pair whose value is null or unusable is left out.</param>
    public AuthenticationResultsField Add(string method, string result, string? comment, params (string Property, string? Value)[] properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var words = new List<string> { method + "=" + result };
        if (comment is not null)
        {
            words.Add("(" + comment + ")");
        }

        foreach (var (property, value) in properties)
        {
            if (Encode(value) is { } encoded)
            {
                words.Add(property + "=" + encoded);
            }
        }

        _results.Add(words);
        return this;
    }

    /// <summary>The whole field, folded with CRLF and a tab, without the final CRLF.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        var line = new StringBuilder(FieldName + ": " + _authServId + ";");
        if (_results.Count == 0)
        {
            // RFC 8601 §2.2: no method was applied.
            line.Append(" none");
        }

        for (var r = 0; r < _results.Count; r++)
        {
            var words = _results[r];
            for (var w = 0; w < words.Count; w++)
            {
                var word = words[w] + (w == words.Count - 1 && r < _results.Count - 1 ? ";" : string.Empty);
                // Each result starts on a line of its own; its words follow on the same line while they fit.
                if (w == 0 || line.Length + 1 + word.Length > MaxLineLength)
                {
                    builder.Append(line).Append("\r\n");
                    line.Clear().Append('\t').Append(word);
                }
                else
                {
                    line.Append(' ').Append(word);
                }
            }
        }

        return builder.Append(line).ToString();
    }

    private static string? Encode(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 255)
        {
            return null;
        }

        if (Token().IsMatch(value))
        {
            return value;
        }

        return QuotedSafe().IsMatch(value) ? "\"" + value + "\"" : null;
    }

    /// <summary>RFC 2045 token characters, plus <c>@</c> for <c>local-part@domain</c> values (RFC 8601 pvalue).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+.^_`{|}~@-]+$")]
    private static partial Regex Token();

    /// <summary>Printable ASCII that needs no escaping inside a quoted-string.</summary>
    [GeneratedRegex(@"^[\x21\x23-\x5B\x5D-\x7E]+$")]
    private static partial Regex QuotedSafe();
}
