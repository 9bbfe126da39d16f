namespace MailRelay.Queue;

/// <summary>
/// What a message's state log says: the hold flag and the last record about each recipient. Recipients
/// without a record are pending.
/// </summary>
public sealed class MessageState
{
    public static readonly MessageState Empty = new(held: false, new Dictionary<string, RecipientState>(StringComparer.Ordinal));

    public MessageState(bool held, IReadOnlyDictionary<string, RecipientState> recipients)
    {
        Held = held;
        Recipients = recipients;
    }

    /// <summary>An operator put the message on hold: it is not delivered until released.</summary>
    public bool Held { get; }

    public IReadOnlyDictionary<string, RecipientState> Recipients { get; }

    /// <summary>The state of <paramref name="recipient"/>, pending when the log says nothing about it.</summary>
    public RecipientState For(string recipient) =>
        Recipients.TryGetValue(recipient, out var state) ? state : new RecipientState(recipient, RecipientStatus.Pending);
}
