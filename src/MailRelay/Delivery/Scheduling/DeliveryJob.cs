namespace MailRelay.Delivery.Scheduling;

/// <summary>One (message, recipient domain) group handed to a delivery worker.</summary>
internal sealed record DeliveryJob(QueuedMessage Message, string Domain, IReadOnlyList<string> Recipients)
{
    /// <summary>Set by the pacer when pacing admitted this job.</summary>
    public PacingTicket? Ticket { get; init; }

    /// <summary>The pacer held the job past the message's lifetime: record it as expired without connecting.</summary>
    public bool Expired { get; init; }
}
