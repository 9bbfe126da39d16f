using MailRelay.Events;

namespace MailRelay.Webhooks;

/// <summary>An event of the dispatcher's window: read from the outbox, not yet behind the acknowledged position.</summary>
internal sealed class PendingEvent
{
    public PendingEvent(OutboxRecord record, DateTimeOffset dueAt)
    {
        Record = record;
        DueAt = dueAt;
    }

    public OutboxRecord Record { get; }

    /// <summary>The events of one message form one chain: only its oldest unfinished event may be attempted.</summary>
    public string ChainKey => Record.QueueId ?? string.Empty;

    /// <summary>Sent (2xx), dropped, or not for this endpoint: the acknowledged position may pass it.</summary>
    public bool Done { get; set; }

    public bool InFlight { get; set; }

    /// <summary>Failed attempts so far.</summary>
    public int Failures { get; set; }

    /// <summary>When the next attempt may start.</summary>
    public DateTimeOffset DueAt { get; set; }
}
