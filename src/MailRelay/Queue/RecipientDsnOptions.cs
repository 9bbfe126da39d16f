namespace MailRelay.Queue;

/// <summary>
/// What one recipient's RCPT TO asked of delivery status notifications: NOTIFY, and the original recipient
/// (ORCPT, <c>addr-type;xtext</c>) that a DSN must name and the next hop must be given.
/// </summary>
public sealed record RecipientDsnOptions(DsnNotify Notify, string? OriginalRecipient)
{
    /// <summary>Whether a failure DSN is wanted (NOTIFY absent, or listing FAILURE).</summary>
    public bool WantsFailure => Notify == DsnNotify.Unspecified || Notify.HasFlag(DsnNotify.Failure);

    /// <summary>Whether a delay warning may be sent (NOTIFY absent, or listing DELAY).</summary>
    public bool WantsDelay => Notify == DsnNotify.Unspecified || Notify.HasFlag(DsnNotify.Delay);

    /// <summary>Parses a NOTIFY value (<c>NEVER</c>, or <c>SUCCESS,FAILURE,DELAY</c> in any combination and case).</summary>
    public static DsnNotify ParseNotify(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return DsnNotify.Unspecified;
        }

        var notify = DsnNotify.Unspecified;
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            notify |= item.ToUpperInvariant() switch
            {
                "NEVER" => DsnNotify.Never,
                "SUCCESS" => DsnNotify.Success,
                "FAILURE" => DsnNotify.Failure,
                "DELAY" => DsnNotify.Delay,
                _ => throw new FormatException($"'{item}' is not a NOTIFY keyword."),
            };
        }

        return notify;
    }

    /// <summary>The NOTIFY value as RFC 3461 writes it; null when unspecified.</summary>
    public static string? FormatNotify(DsnNotify notify)
    {
        if (notify == DsnNotify.Unspecified)
        {
            return null;
        }

        if (notify.HasFlag(DsnNotify.Never))
        {
            return "NEVER";
        }

        var items = new List<string>(3);
        if (notify.HasFlag(DsnNotify.Success))
        {
            items.Add("SUCCESS");
        }

        if (notify.HasFlag(DsnNotify.Failure))
        {
            items.Add("FAILURE");
        }

        if (notify.HasFlag(DsnNotify.Delay))
        {
            items.Add("DELAY");
        }

        return string.Join(',', items);
    }
}
