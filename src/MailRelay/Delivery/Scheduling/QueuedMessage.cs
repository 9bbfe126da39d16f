using MailRelay.Events;
using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// The scheduler's view of one queued message: its entry and each recipient's state. Every field is read
/// and written under <see cref="Sync"/>; the durable copy is the state log, written before the memory
/// changes, except while it cannot be written (a full disk): then the records wait here, in order, and go
/// first into the next append.
/// </summary>
internal sealed class QueuedMessage
{
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly List<StateRecord> _unwritten = [];
    private readonly List<RelayEvent> _unwrittenEvents = [];

    /// <param name="mayHaveStateLog">
    /// False only for a message this process has just committed: nothing can have written its state log yet.
    /// </param>
    public QueuedMessage(QueueEntry entry, MessageState state, bool mayHaveStateLog = true)
    {
        Entry = entry;
        MayHaveStateLog = mayHaveStateLog;
        Recipients = [.. entry.Envelope.Recipients.Distinct(StringComparer.Ordinal)];
        States = new Dictionary<string, RecipientState>(StringComparer.Ordinal);
        foreach (var recipient in Recipients)
        {
            States[recipient] = state.For(recipient);
        }

        Held = state.Held;
    }

    public object Sync { get; } = new();

    public QueueEntry Entry { get; }

    public string QueueId => Entry.QueueId;

    /// <summary>The envelope recipients without duplicates, in RCPT order.</summary>
    public IReadOnlyList<string> Recipients { get; }

    public Dictionary<string, RecipientState> States { get; }

    public bool Held { get; set; }

    /// <summary>
    /// Whether a state log may exist beside the queue file. A message delivered in one attempt never has
    /// one, so its removal need not look for it.
    /// </summary>
    public bool MayHaveStateLog { get; private set; }

    /// <summary>Its files are gone (delivered, bounced or deleted): late results are ignored.</summary>
    public bool Removed { get; set; }

    /// <summary>A DSN or the removal of its files is in progress.</summary>
    public bool Settling { get; set; }

    /// <summary>
    /// It left the active window: its state is durable and its slot holds what the scheduler still needs. A message
    /// that comes back is read again from its files into a new record; this one is never used again.
    /// </summary>
    public bool Evicted { get; set; }

    /// <summary>Records kept by <see cref="KeepUnwritten"/>, or events kept by <see cref="KeepUnwrittenEvents"/>, not yet durable.</summary>
    public bool HasUnwrittenState => _unwritten.Count > 0 || _unwrittenEvents.Count > 0;

    /// <summary>
    /// Events an append could not make durable, oldest first. While there are any, no state record is written and the
    /// message is not removed: an outcome is never recorded before its event.
    /// </summary>
    public IReadOnlyList<RelayEvent> UnwrittenEvents => _unwrittenEvents;

    public bool HasUnwrittenEvents => _unwrittenEvents.Count > 0;

    /// <summary>The Message-ID and client id, read once for the message's events.</summary>
    public MessageCorrelation? Correlation { get; set; }

    /// <summary>
    /// Held while an attempt's events are appended and its outcome recorded, so the appends of one message keep their
    /// order and no record is written while an earlier event of the message is still on its way to the disk.
    /// </summary>
    public SemaphoreSlim RecordGate { get; } = new(1, 1);

    /// <summary>
    /// Appends to the message's state log (creating it), durably, after any records still unwritten; the caller
    /// holds <see cref="Sync"/>. On failure nothing counts as written, the unwritten records included.
    /// </summary>
    public void AppendState(string dataDirectory, IReadOnlyList<StateRecord> records, IDiskSync diskSync)
    {
        // Before the write: a failed append may still have created the file.
        MayHaveStateLog = true;
        IReadOnlyList<StateRecord> all = _unwritten.Count == 0 ? records : [.. _unwritten, .. records];
        MessageStateLog.Append(new SpoolLayout(dataDirectory).StatePath(QueueId), all, diskSync);
        _unwritten.Clear();
    }

    /// <summary>
    /// Keeps records an append could not make durable, to go first into the next one. A record appended twice
    /// (a failed append may have written part of it) changes nothing: the last record of a kind wins.
    /// </summary>
    public void KeepUnwritten(IReadOnlyList<StateRecord> records) => _unwritten.AddRange(records);

    /// <summary>Keeps events an append could not make durable, after those already kept.</summary>
    public void KeepUnwrittenEvents(IReadOnlyList<RelayEvent> events) => _unwrittenEvents.AddRange(events);

    /// <summary>The first <paramref name="count"/> kept events are durable now.</summary>
    public void ConfirmEvents(int count) => _unwrittenEvents.RemoveRange(0, count);

    public bool IsInFlight(string recipient) => _inFlight.Contains(recipient);

    public void MarkInFlight(IEnumerable<string> recipients) => _inFlight.UnionWith(recipients);

    public void ClearInFlight(IEnumerable<string> recipients) => _inFlight.ExceptWith(recipients);

    public bool HasInFlight => _inFlight.Count > 0;

    public bool AllFinal => States.Values.All(s => s.IsFinal);

    /// <summary>Failed recipients whose DSN has not been committed yet.</summary>
    public List<RecipientState> Unnotified() => [.. States.Values.Where(s => s.Status == RecipientStatus.Failed && !s.Notified)];

    /// <summary>Deferred recipients of a message at least <paramref name="age"/> old not yet warned about.</summary>
    public List<RecipientState> Unwarned(DateTimeOffset now, TimeSpan age) =>
        IsOlderThan(now, age) ? [.. States.Values.Where(IsUnwarned)] : [];

    /// <summary>
    /// Whether settling has work: events still to make durable, a failed recipient without its DSN, every recipient final (the files go), or with
    /// <paramref name="warnAge"/> a deferred recipient of a message that old not yet warned about. Looked at by every
    /// scheduler pass, so it allocates nothing.
    /// </summary>
    public bool NeedsSettling(DateTimeOffset now, TimeSpan? warnAge) =>
        _unwrittenEvents.Count > 0
        || States.Values.Any(s => s.Status == RecipientStatus.Failed && !s.Notified)
        || (AllFinal && !HasInFlight)
        || (warnAge is { } age && IsOlderThan(now, age) && States.Values.Any(IsUnwarned));

    /// <summary>Recipients not yet final, as <c>queue list</c> shows them.</summary>
    public int OpenRecipients => States.Values.Count(s => !s.IsFinal);

    /// <summary>
    /// When the message needs the scheduler again, in UTC ticks, from its durable state alone: its arrival (so at
    /// once, oldest first) for pending recipients and for work left to settle, the earliest next attempt of a deferred
    /// recipient, and with <paramref name="warnAge"/> the time a deferred recipient not yet warned about is owed its
    /// delay warning; <see cref="QueueSlot.Never"/> when nothing waits for a time.
    /// </summary>
    public long WakeTicks(TimeSpan? warnAge)
    {
        var arrival = Entry.ArrivalTime.UtcTicks;
        var wake = QueueSlot.Never;
        var allFinal = true;
        foreach (var state in States.Values)
        {
            allFinal &= state.IsFinal;
            var at = state.Status switch
            {
                RecipientStatus.Pending => arrival,
                RecipientStatus.Deferred => state.NextAttempt?.UtcTicks ?? arrival,
                RecipientStatus.Failed when !state.Notified => arrival,
                _ => QueueSlot.Never,
            };
            if (warnAge is { } age && IsUnwarned(state))
            {
                at = Math.Min(at, (Entry.ArrivalTime + age).UtcTicks);
            }

            wake = Math.Min(wake, at);
        }

        return allFinal || HasUnwrittenState ? Math.Min(wake, arrival) : wake;
    }

    /// <summary>
    /// Whether the message may leave the active window now: nothing about it is in progress or only in memory (no
    /// attempt in flight, no settling, no unwritten record or event), nothing is due, and it needs no settling. A held
    /// message leaves whatever its due time. The caller holds <see cref="Sync"/>.
    /// </summary>
    public bool CanLeaveWindow(DateTimeOffset now, TimeSpan? warnAge) =>
        !Removed && !Evicted && !Settling && !HasInFlight && !HasUnwrittenState
        && !NeedsSettling(now, warnAge)
        && (Held || WakeTicks(warnAge) > now.UtcTicks);

    private static bool IsUnwarned(RecipientState state) => state.Status == RecipientStatus.Deferred && !state.Warned;

    private bool IsOlderThan(DateTimeOffset now, TimeSpan age) => now - Entry.ArrivalTime >= age;

    /// <summary>Recipients to attempt now: pending, or deferred and due, and not already being attempted.</summary>
    public List<string> Due(DateTimeOffset now) =>
        [.. Recipients.Where(r => !_inFlight.Contains(r) && States[r] is var s
            && (s.Status == RecipientStatus.Pending || (s.Status == RecipientStatus.Deferred && (s.NextAttempt ?? now) <= now)))];

    /// <summary>The earliest time a deferred recipient not in flight falls due, if any.</summary>
    public DateTimeOffset? NextDue()
    {
        DateTimeOffset? next = null;
        foreach (var state in States.Values)
        {
            if (state.Status == RecipientStatus.Deferred && !_inFlight.Contains(state.Recipient) && state.NextAttempt is { } at
                && (next is null || at < next))
            {
                next = at;
            }
        }

        return next;
    }
}
