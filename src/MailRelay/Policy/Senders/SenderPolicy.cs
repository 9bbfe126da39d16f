using MailRelay.Configuration;

namespace MailRelay.Policy.Senders;

/// <summary>
/// The sender rules at MAIL FROM. For a relaying client with the access rules on: the forbidden list wins, then
/// the null sender passes (DSNs), then the allowed list decides, or without one, the domains of MAIL_DOMAINS.
/// On top of that, an authenticated user may be bound to its own address (and the senders listed for it).
/// </summary>
public sealed class SenderPolicy
{
    private readonly SenderSettings _settings;
    private readonly HashSet<string> _ourDomains;

    public SenderPolicy(SenderSettings settings, IEnumerable<string> ourDomains)
    {
        _settings = settings;
        _ourDomains = new HashSet<string>(ourDomains, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether the From: header is checked at the end of DATA.</summary>
    public bool ChecksFromHeader => _settings.AccessEnabled && _settings.CheckFromHeader;

    /// <summary>The MAIL FROM decision for a client that may relay.</summary>
    public SenderRefusal Check(string sender, string? authenticatedUser)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (_settings.AccessEnabled && !AccessAllows(sender))
        {
            return SenderRefusal.SenderAccess;
        }

        if (authenticatedUser is not null && !BindingAllows(sender, authenticatedUser))
        {
            return SenderRefusal.AuthBinding;
        }

        return SenderRefusal.None;
    }

    /// <summary>SENDER_CHECK_FROM_HEADER: every From: mailbox at the envelope sender's domain or a subdomain of it.</summary>
    public static bool FromHeaderMatches(string sender, IReadOnlyList<string> fromAddresses)
    {
        ArgumentNullException.ThrowIfNull(fromAddresses);
        var envelopeDomain = SenderAddress.DomainOf(sender);
        return fromAddresses.All(from => SenderAddress.IsSameOrSubdomain(SenderAddress.DomainOf(from), envelopeDomain));
    }

    private bool AccessAllows(string sender)
    {
        if (_settings.ForbiddenFrom.Match(sender) != SenderMatch.NoMatch)
        {
            return false;
        }

        if (sender.Length == 0)
        {
            return true;
        }

        return _settings.AllowedFrom.IsEmpty
            ? _ourDomains.Contains(SenderAddress.DomainOf(sender))
            : _settings.AllowedFrom.Match(sender) == SenderMatch.Match;
    }

    private bool BindingAllows(string sender, string user)
    {
        if (!_settings.ConstrainAuthSender || sender.Length == 0)
        {
            return true;
        }

        var listed = _settings.AuthSenders.GetValueOrDefault(user);
        if (listed is not null && listed.Match(sender) == SenderMatch.Match)
        {
            return true;
        }

        var userDomain = SenderAddress.DomainOf(user);
        if (userDomain.Length == 0)
        {
            // A plain user name binds to nothing unless SMTP_AUTH_SENDERS lists senders for it.
            return listed is null;
        }

        return string.Equals(sender, user, StringComparison.OrdinalIgnoreCase)
            || SenderAddress.IsSubdomain(SenderAddress.DomainOf(sender), userDomain);
    }
}
