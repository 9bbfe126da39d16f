using System.Text.RegularExpressions;
using MailRelay.Configuration.Syntax;

namespace MailRelay.Policy.Senders;

/// <summary>
/// One entry of a sender list: an address (<c>app@example.com</c>), a domain (<c>example.com</c>, the domain
/// itself, not its subdomains), a regular expression between slashes (<c>/^noreply@/</c>, matched against the
/// whole address without regard to case) or <c>&lt;&gt;</c>, the null sender.
/// </summary>
public sealed class SenderPattern
{
    /// <summary>Bounds every match, so a pattern with catastrophic backtracking cannot stall a session (ReDoS).</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly string? _address;
    private readonly string? _domain;
    private readonly Regex? _regex;
    private readonly bool _nullSender;

    private SenderPattern(string text, string? address, string? domain, Regex? regex, bool nullSender)
    {
        Text = text;
        _address = address;
        _domain = domain;
        _regex = regex;
        _nullSender = nullSender;
    }

    /// <summary>The entry as configured.</summary>
    public string Text { get; }

    public static bool TryParse(string text, out SenderPattern pattern, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entry = text.Trim();
        pattern = null!;
        error = string.Empty;
        if (entry == "<>")
        {
            pattern = new SenderPattern(entry, null, null, null, nullSender: true);
            return true;
        }

        if (entry.Length >= 2 && entry[0] == '/' && entry[^1] == '/')
        {
            try
            {
                // Compiled once at start; the timeout is what keeps a hostile or careless pattern harmless.
                var regex = new Regex(entry[1..^1], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
                pattern = new SenderPattern(entry, null, null, regex, nullSender: false);
                return true;
            }
            catch (ArgumentException exception)
            {
                error = $"'{entry}' is not a valid regular expression: {exception.Message}";
                return false;
            }
        }

        var at = entry.LastIndexOf('@');
        if (at >= 0)
        {
            if (at == 0 || entry.AsSpan(0, at).ContainsAny(" \t<>,") || !DomainNameSyntax.TryParse(entry[(at + 1)..], requireDot: false, out var addressDomain, out _))
            {
                error = $"'{entry}' is not an address (local@domain), a domain or a /regular expression/.";
                return false;
            }

            pattern = new SenderPattern(entry, entry[..at] + "@" + addressDomain, null, null, nullSender: false);
            return true;
        }

        if (!DomainNameSyntax.TryParse(entry, requireDot: false, out var domain, out _))
        {
            error = $"'{entry}' is not an address (local@domain), a domain or a /regular expression/.";
            return false;
        }

        pattern = new SenderPattern(entry, null, domain, null, nullSender: false);
        return true;
    }

    /// <summary>Matches an envelope sender; the empty string is the null sender.</summary>
    public SenderMatch Match(string sender)
    {
        if (_nullSender)
        {
            return sender.Length == 0 ? SenderMatch.Match : SenderMatch.NoMatch;
        }

        if (_regex is not null)
        {
            try
            {
                return _regex.IsMatch(sender) ? SenderMatch.Match : SenderMatch.NoMatch;
            }
            catch (RegexMatchTimeoutException)
            {
                return SenderMatch.TimedOut;
            }
        }

        if (_address is not null)
        {
            return string.Equals(_address, sender, StringComparison.OrdinalIgnoreCase) ? SenderMatch.Match : SenderMatch.NoMatch;
        }

        return string.Equals(_domain, SenderAddress.DomainOf(sender), StringComparison.OrdinalIgnoreCase)
            ? SenderMatch.Match
            : SenderMatch.NoMatch;
    }
}
