namespace MailRelay.Delivery;

/// <summary>The domain part of an envelope recipient, as routing and grouping compare it.</summary>
public static class RecipientDomain
{
    /// <summary>The part after the last <c>@</c>, lower-cased; empty when there is none.</summary>
    public static string Of(string recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var at = recipient.LastIndexOf('@');
        return at < 0 ? string.Empty : recipient[(at + 1)..].ToLowerInvariant();
    }
}
