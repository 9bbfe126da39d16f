namespace MailRelay.Events;

/// <summary>The event types (the <c>type</c> field, and the names a webhook's <c>events</c> filter takes).</summary>
public static class RelayEventTypes
{
    /// <summary>The next hop accepted the recipient (2xx).</summary>
    public const string Delivered = "delivered";

    /// <summary>A temporary failure; the recipient is attempted again later.</summary>
    public const string Deferred = "deferred";

    /// <summary>A permanent failure: refused by the next hop, or a DSN received later for a VERP address.</summary>
    public const string Bounced = "bounced";

    /// <summary>The recipient was still deferred when its retry time ran out (MAX_QUEUE_LIFETIME).</summary>
    public const string Expired = "expired";

    /// <summary>A delay warning DSN was sent for the recipient, or a delayed DSN received for a VERP address.</summary>
    public const string Delayed = "delayed";

    /// <summary>A feedback-loop complaint (ARF, RFC 5965) about a message we sent.</summary>
    public const string Complained = "complained";

    /// <summary>A sending IP or domain appeared on a blocklist.</summary>
    public const string BlocklistListed = "blocklist_listed";

    /// <summary>A sending IP or domain left a blocklist.</summary>
    public const string BlocklistDelisted = "blocklist_delisted";

    public static IReadOnlyList<string> All { get; } =
        [Delivered, Deferred, Bounced, Expired, Delayed, Complained, BlocklistListed, BlocklistDelisted];
}
