using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// Recipients of one message that share a next hop, handed to a delivery worker as one transaction.
/// <see cref="Domain"/> is the first recipient's domain: the one whose route and pacing scope the job follows.
/// </summary>
internal sealed record DeliveryJob(QueuedMessage Message, string Domain, IReadOnlyList<string> Recipients)
{
    /// <summary>Set by the pacer when it classified the job: the provider of the job's next hop, whose queue it joined.</summary>
    public ProviderKey? Provider { get; init; }

    /// <summary>Set by the pacer when pacing admitted this job.</summary>
    public PacingTicket? Ticket { get; init; }

    /// <summary>The pacer held the job past the message's lifetime: record it as expired without connecting.</summary>
    public bool Expired { get; init; }
}
