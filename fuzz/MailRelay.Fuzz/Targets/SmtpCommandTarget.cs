using System.Text;
using MailRelay.Smtp.Commands;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Fuzz.Targets;

/// <summary>
/// One SMTP command line, decoded as the session decodes it (strict UTF-8, up to the first LF, one CR
/// removed): the verb split, the MAIL / RCPT path under every combination of the parser's options, the
/// ESMTP parameters after it, and xtext in every word of the line.
/// </summary>
internal static class SmtpCommandTarget
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Run(byte[] input)
    {
        var lineEnd = Array.IndexOf(input, (byte)'\n');
        var bytes = input.AsSpan(0, lineEnd < 0 ? input.Length : lineEnd);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        string line;
        try
        {
            line = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return;
        }

        CheckVerb(line);
        var arguments = SmtpCommandLine.Parse(line).Arguments;
        var pathText = arguments.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase) ? arguments[5..]
            : arguments.StartsWith("TO:", StringComparison.OrdinalIgnoreCase) ? arguments[3..]
            : arguments;
        for (var options = 0; options < 8; options++)
        {
            CheckPath(pathText, allowUtf8: (options & 1) != 0, allowNull: (options & 2) != 0, allowPostmaster: (options & 4) != 0);
        }

        foreach (var word in line.Split(' ', '='))
        {
            CheckXtext(word);
        }
    }

    private static void CheckVerb(string line)
    {
        var command = SmtpCommandLine.Parse(line);
        Invariant.Holds(!command.Verb.Contains(' ', StringComparison.Ordinal), "the verb has no space");
        Invariant.Equal(line.Contains(' ', StringComparison.Ordinal) ? line.Length - 1 : line.Length, command.Verb.Length + command.Arguments.Length, "verb and arguments are the whole line");
        Invariant.Holds(line.EndsWith(command.Arguments, StringComparison.Ordinal), "the arguments are the line's tail, unchanged");

        // Only ASCII letters change case: a verb must never match a command it does not spell.
        for (var i = 0; i < command.Verb.Length; i++)
        {
            var original = line[i];
            var expected = char.IsAsciiLetterLower(original) ? (char)(original - 32) : original;
            Invariant.Equal(expected, command.Verb[i], "the verb is the line's first word with ASCII letters upper-cased");
        }
    }

    private static void CheckPath(string text, bool allowUtf8, bool allowNull, bool allowPostmaster)
    {
        var status = MailboxParser.TryParsePath(text, allowUtf8, allowNull, allowPostmaster, out var address, out var rest);
        Invariant.Holds(Enum.IsDefined(status), "the status is a declared PathParseStatus");
        if (status != PathParseStatus.Ok)
        {
            Invariant.Holds(status != PathParseStatus.NonAsciiWithoutSmtpUtf8 || !allowUtf8, "non-ASCII is refused only without SMTPUTF8");
            return;
        }

        Invariant.Holds(!rest.StartsWith(' '), "the rest has no leading space");
        Invariant.Holds(allowUtf8 || address.All(char.IsAscii), "without SMTPUTF8 the address is ASCII");
        if (address.Length == 0)
        {
            Invariant.Holds(allowNull, "the null path only where allowed");
        }
        else if (!(allowPostmaster && address.Equals("postmaster", StringComparison.OrdinalIgnoreCase)))
        {
            Invariant.Holds(MailboxParser.IsValidMailbox(address, allowUtf8), "an accepted address is a valid mailbox");
            var at = address.LastIndexOf('@');
            Invariant.Holds(MailboxParser.IsValidDomainOrLiteral(address[(at + 1)..], allowUtf8), "an accepted address has a valid domain");
        }

        // The path re-serialized from its parts parses to the same parts.
        var again = "<" + address + ">" + (rest.Length == 0 ? string.Empty : " " + rest);
        var againStatus = MailboxParser.TryParsePath(again, allowUtf8, allowNull, allowPostmaster, out var againAddress, out var againRest);
        Invariant.Equal(PathParseStatus.Ok, againStatus, $"the re-serialized path {again} parses");
        Invariant.Equal(address, againAddress, "the re-serialized path has the same address");
        Invariant.Equal(rest, againRest, "the re-serialized path has the same rest");

        // Allowing more never refuses what was accepted, nor changes it.
        var wider = MailboxParser.TryParsePath(text, allowUtf8: true, allowNull: true, allowPostmaster, out var widerAddress, out _);
        Invariant.Equal(PathParseStatus.Ok, wider, "a path accepted with fewer options is accepted with more");
        Invariant.Equal(address, widerAddress, "more options give the same address");

        CheckParameters(rest);
    }

    private static void CheckParameters(string text)
    {
        var parameters = EsmtpParameters.Parse(text);
        if (parameters is null)
        {
            return;
        }

        Invariant.Equal(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, parameters.Count, "every word is one parameter");
        var rebuilt = string.Join(' ', parameters.Keywords.Select(k => parameters.Value(k) is { } v ? k + "=" + v : k));
        var again = EsmtpParameters.Parse(rebuilt);
        Invariant.Holds(again is not null, $"re-serialized parameters {rebuilt} parse");
        Invariant.Equal(parameters.Count, again.Count, "re-serialized parameters have the same count");
        foreach (var keyword in parameters.Keywords)
        {
            var value = parameters.Value(keyword);
            Invariant.Holds(again.Contains(keyword), "re-serialized parameters have the same keywords");
            Invariant.Equal(value, again.Value(keyword), "re-serialized parameters have the same values");
            Invariant.Holds(keyword.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'), "a keyword is letters, digits and hyphens");
            if (value is not null)
            {
                Invariant.Holds(value.Length > 0 && !value.Any(c => c is <= ' ' or '=' or '\x7F'), "a value has no space, '=' or ASCII control");
                CheckXtext(value);
            }
        }
    }

    private static void CheckXtext(string text)
    {
        if (!Xtext.IsValid(text))
        {
            return;
        }

        var decoded = Xtext.Decode(text);
        Invariant.Holds(decoded.Length <= text.Length, "xtext decoding never lengthens");
        Invariant.Holds(decoded.All(c => c <= 0xFF), "xtext decodes to octets");
        var encoded = EncodeXtext(decoded);
        Invariant.Holds(Xtext.IsValid(encoded), $"canonical xtext {encoded} is valid");
        Invariant.Equal(decoded, Xtext.Decode(encoded), "xtext decode(encode(x)) == x");
    }

    // RFC 3461 §4: "!" to "~" except "+" and "=" stand for themselves; every other octet is "+XX".
    private static string EncodeXtext(string octets)
    {
        var builder = new StringBuilder(octets.Length);
        foreach (var c in octets)
        {
            if (c is >= '!' and <= '~' and not '+' and not '=')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('+').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
