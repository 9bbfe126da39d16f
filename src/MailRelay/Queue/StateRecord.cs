namespace MailRelay.Queue;

/// <summary>One line of a message's state log: a recipient's new state, a hold change, or DSNs sent.</summary>
public sealed record StateRecord
{
    private StateRecord(DateTimeOffset time)
    {
        Time = time;
    }

    public DateTimeOffset Time { get; }

    /// <summary>The recipient's new state, for a recipient record.</summary>
    public RecipientState? Recipient { get; private init; }

    /// <summary>The new hold flag, for a hold record.</summary>
    public bool? Held { get; private init; }

    /// <summary>Failed recipients whose DSN is now committed, for a notification record.</summary>
    public IReadOnlyList<string>? Notified { get; private init; }

    public static StateRecord ForRecipient(RecipientState state, DateTimeOffset time) => new(time) { Recipient = state };

    public static StateRecord ForHold(bool held, DateTimeOffset time) => new(time) { Held = held };

    public static StateRecord ForNotified(IReadOnlyList<string> recipients, DateTimeOffset time) => new(time) { Notified = recipients };
}
