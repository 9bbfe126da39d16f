namespace MailRelay.RateLimiting;

/// <summary>What a paced attempt told us about the provider.</summary>
public enum DeliveryOutcome
{
    /// <summary>The provider accepted the message.</summary>
    Accepted,

    /// <summary>A reply <see cref="RateLimitReply"/> classifies as rate limiting.</summary>
    RateLimited,

    /// <summary>Any other failure (mailbox full, greylisting, connection error): says nothing about our pace.</summary>
    OtherFailure,

    /// <summary>The claimed slot was not used (cancelled before sending).</summary>
    Abandoned,
}
