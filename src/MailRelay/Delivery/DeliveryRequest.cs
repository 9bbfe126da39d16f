using MailRelay.Queue;

namespace MailRelay.Delivery;

/// <summary>
/// One attempt to hand a queued message to the next hop for some of its recipients, all of the same
/// recipient domain (so one route applies). The transport reads the message from
/// <see cref="QueueEntry.FilePath"/> at <see cref="QueueEntry.ContentOffset"/> and never changes the file.
/// </summary>
public sealed record DeliveryRequest(QueueEntry Message, string Domain, IReadOnlyList<string> Recipients)
{
    /// <summary>Set when delivery pacing is on: how the connection for this request must be chosen and kept.</summary>
    public PacedConnection? Pacing { get; init; }
}
