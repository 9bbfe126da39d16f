using System.Globalization;
using MimeKit;

namespace MailRelay.Dkim;

/// <summary>
/// Which key signs a message: the From header's domain (first mailbox) if we hold a key for it or for a
/// parent of it, else the envelope sender's domain on the same terms, else none.
/// </summary>
internal static class SigningDomainRule
{
    private static readonly IdnMapping Idn = new();

    public static (DkimKey? Key, string FromDomain, string EnvelopeDomain) Choose(
        DkimKeyStore keys, IReadOnlyList<RawHeaderField> fields, string? envelopeSender)
    {
        var fromDomain = FromDomain(fields) ?? string.Empty;
        var envelopeDomain = EnvelopeDomain(envelopeSender) ?? string.Empty;
        var key = (fromDomain.Length > 0 ? keys.FindForDomain(fromDomain) : null)
            ?? (envelopeDomain.Length > 0 ? keys.FindForDomain(envelopeDomain) : null);
        return (key, fromDomain, envelopeDomain);
    }

    /// <summary>The first From mailbox's domain as a lower-case A-label name, or null.</summary>
    public static string? FromDomain(IReadOnlyList<RawHeaderField> fields)
    {
        var from = fields.FirstOrDefault(f => f.Is("From"));
        if (from is null)
        {
            return null;
        }

        var value = from.Value.ToArray();
        if (!InternetAddressList.TryParse(ParserOptions.Default, value, 0, value.Length, out var addresses))
        {
            return null;
        }

        var mailbox = addresses.Mailboxes.FirstOrDefault();
        return mailbox is null ? null : Normalize(mailbox.Domain);
    }

    public static string? EnvelopeDomain(string? envelopeSender)
    {
        if (string.IsNullOrEmpty(envelopeSender))
        {
            return null;
        }

        var at = envelopeSender.LastIndexOf('@');
        return at < 0 ? null : Normalize(envelopeSender[(at + 1)..].TrimEnd('>'));
    }

    /// <summary>SMTPUTF8 mail may carry U-labels; keys and d= are in A-label form (RFC 8616).</summary>
    private static string? Normalize(string? domain)
    {
        var trimmed = domain?.Trim().TrimEnd('.');
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        try
        {
            return Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
