using MailRelay.Queue;

namespace MailRelay.Delivery;

/// <summary>
/// One attempt to hand a queued message to the next hop for some of its recipients, in one transaction. The
/// recipients may be at several domains that share a next hop (the smarthost, one DELIVERY_ROUTES destination,
/// the same MX hosts); <see cref="Domain"/> is the one whose route the request was grouped by. The transport reads the message from
/// <see cref="QueueEntry.FilePath"/> at <see cref="QueueEntry.ContentOffset"/> and never changes the file.
/// </summary>
public sealed record DeliveryRequest(QueueEntry Message, string Domain, IReadOnlyList<string> Recipients)
{
    /// <summary>Set when delivery pacing is on: how the connection for this request must be chosen and kept.</summary>
    public PacedConnection? Pacing { get; init; }

    /// <summary>
    /// Set when delivery pacing is on: the transport waits here on a ready connection just before MAIL FROM, so the
    /// send rate holds where the receiver measures it. Null: the transaction starts at once.
    /// </summary>
    public ITransactionGate? Gate { get; init; }
}
