namespace MailRelay.Smtp.Protocol;

/// <summary>One command line split into its verb (upper case) and the rest, without the line end.</summary>
public readonly record struct SmtpCommandLine(string Verb, string Arguments)
{
    /// <summary>Splits a decoded line at the first space; the verb is upper-cased (ASCII only).</summary>
    public static SmtpCommandLine Parse(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? line : line[..space];
        var arguments = space < 0 ? string.Empty : line[(space + 1)..];
        return new SmtpCommandLine(ToUpperAscii(verb), arguments);
    }

    // Verbs are ASCII (RFC 5321 §2.4) and match case-insensitively in ASCII only. ToUpperInvariant also changed
    // letters of other scripts ("μail" became "ΜAIL"), so the verb no longer was what the client sent; whether a
    // look-alike such as "maıl" became a command then depended on the runtime's casing tables.
    private static string ToUpperAscii(string verb) =>
        string.Create(verb.Length, verb, static (upper, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                upper[i] = char.IsAsciiLetterLower(source[i]) ? (char)(source[i] - ('a' - 'A')) : source[i];
            }
        });
}
