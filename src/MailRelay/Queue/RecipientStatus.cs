namespace MailRelay.Queue;

/// <summary>Where one recipient of a queued message stands.</summary>
public enum RecipientStatus
{
    /// <summary>Not attempted yet, or an attempt was cut short (crash, shutdown): due now.</summary>
    Pending,

    /// <summary>The next hop accepted it. Final.</summary>
    Delivered,

    /// <summary>A temporary failure; retried at <see cref="RecipientState.NextAttempt"/>.</summary>
    Deferred,

    /// <summary>A permanent failure or expiry; bounced to the sender. Final.</summary>
    Failed,
}
