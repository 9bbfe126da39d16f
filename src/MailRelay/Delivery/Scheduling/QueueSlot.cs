namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// What the scheduler keeps in memory for every queued message: a few numbers, enough to count the queue, to know
/// when the message is next due and to keep it on hold, but none of its envelope or recipient states. Those live in
/// <see cref="Message"/> only while the message is in the active window (due, in flight, or settling); out of it the
/// queue file and its state log are the only copy, read back when the message falls due. Fields are read and written
/// under the slot's own lock.
/// </summary>
internal sealed class QueueSlot
{
    /// <summary>A due time that never comes: nothing in the message is waiting for a time.</summary>
    public const long Never = long.MaxValue;

    public QueueSlot(string queueId, DateTimeOffset arrivalTime)
    {
        QueueId = queueId;
        ArrivalTicks = arrivalTime.UtcTicks;
    }

    public string QueueId { get; }

    /// <summary>Arrival time, UTC ticks.</summary>
    public long ArrivalTicks { get; }

    public DateTimeOffset ArrivalTime => new(ArrivalTicks, TimeSpan.Zero);

    /// <summary>
    /// Out of the window: when the message must come back into it (UTC ticks): its earliest deferred recipient's next
    /// attempt, a delay warning coming due, or at once for pending recipients and work left to settle.
    /// </summary>
    public long DueTicks { get; set; } = Never;

    /// <summary>Out of the window: recipients not yet final, as <c>queue list</c> counts them.</summary>
    public int OpenRecipients { get; set; }

    /// <summary>Out of the window: on hold (then it is not brought back until released).</summary>
    public bool Held { get; set; }

    /// <summary>Out of the window: a flush asked for its deferred recipients to be attempted now once it is back.</summary>
    public bool Flushed { get; set; }

    /// <summary>The full record, while the message is in the active window; null out of it.</summary>
    public QueuedMessage? Message { get; set; }
}
