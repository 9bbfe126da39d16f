namespace MailRelay.Policy.Senders;

/// <summary>Small facts about an envelope or header address, shared by the sender rules.</summary>
public static class SenderAddress
{
    /// <summary>The part after the last <c>@</c>, or empty when there is none (the null sender).</summary>
    public static string DomainOf(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        return at < 0 ? string.Empty : address[(at + 1)..];
    }

    /// <summary>Whether <paramref name="domain"/> is <paramref name="parent"/> itself or one of its subdomains.</summary>
    public static bool IsSameOrSubdomain(string domain, string parent)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(parent);
        if (parent.Length == 0)
        {
            return false;
        }

        return string.Equals(domain, parent, StringComparison.OrdinalIgnoreCase)
            || (domain.Length > parent.Length + 1
                && domain.EndsWith(parent, StringComparison.OrdinalIgnoreCase)
                && domain[domain.Length - parent.Length - 1] == '.');
    }

    /// <summary>Whether <paramref name="domain"/> is a proper subdomain of <paramref name="parent"/>.</summary>
    public static bool IsSubdomain(string domain, string parent) =>
        IsSameOrSubdomain(domain, parent) && !string.Equals(domain, parent, StringComparison.OrdinalIgnoreCase);
}
