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
        return new SmtpCommandLine(verb.ToUpperInvariant(), arguments);
    }
}
