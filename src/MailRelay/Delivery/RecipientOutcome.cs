namespace MailRelay.Delivery;

/// <summary>What one delivery attempt did for one recipient.</summary>
public enum RecipientOutcome
{
    /// <summary>The next hop accepted the message for this recipient (250 after DATA).</summary>
    Delivered,

    /// <summary>A temporary failure (4xx, connection or DNS trouble): retry on the schedule.</summary>
    Deferred,

    /// <summary>A permanent failure (5xx, null MX, policy): bounce to the sender.</summary>
    Failed,
}
