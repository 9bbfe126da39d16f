namespace MailRelay.Delivery.Dsn;

/// <summary>The RFC 3464 Action field of a per-recipient report.</summary>
public enum DsnAction
{
    /// <summary>The message could not be delivered and will not be retried.</summary>
    Failed,

    /// <summary>Not delivered yet; still being retried (a delay warning).</summary>
    Delayed,
}
