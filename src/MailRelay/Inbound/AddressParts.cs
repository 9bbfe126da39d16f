namespace MailRelay.Inbound;

/// <summary>
/// The parts of an envelope address, split at its last <c>@</c>: a domain never holds one, while a quoted local part
/// may (<c>"a@b"@example.com</c>). Trailing dots of the domain (the root, as in <c>example.com.</c>) are dropped:
/// they name the same domain. The callers differ in what an incomplete address means, so each rule has its own method.
/// </summary>
public static class AddressParts
{
    /// <summary>The local part (before the last <c>@</c>), or the whole text when it has no <c>@</c>.</summary>
    public static string LocalPart(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        return at < 0 ? address : address[..at];
    }

    /// <summary>
    /// The domain after the last <c>@</c>, without trailing dots; null when the address has no <c>@</c> (there is no
    /// domain to look at, which SPF takes as result none), empty when nothing but dots follows it.
    /// </summary>
    public static string? DomainOrNull(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        return at < 0 ? null : address[(at + 1)..].TrimEnd('.');
    }

    /// <summary>
    /// Both parts, when both are there: false (and both empty) for an address without <c>@</c>, with nothing before it
    /// or with no domain after it.
    /// </summary>
    public static bool TrySplit(string address, out string localPart, out string domain)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        localPart = at > 0 ? address[..at] : string.Empty;
        domain = at > 0 ? address[(at + 1)..].TrimEnd('.') : string.Empty;
        return at > 0 && domain.Length > 0;
    }
}
