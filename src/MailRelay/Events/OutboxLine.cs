namespace MailRelay.Events;

/// <summary>
/// One line of an outbox segment: an event with its sequence number, as docs/events.md describes the JSON
/// (snake_case names, null fields left out, details sorted by key).
/// </summary>
internal sealed class OutboxLine
{
    public long Seq { get; init; }

    public required string Id { get; init; }

    public required string Type { get; init; }

    public DateTimeOffset Time { get; init; }

    public string? QueueId { get; init; }

    public string? MessageId { get; init; }

    public string? ClientId { get; init; }

    public string? Sender { get; init; }

    public string? Recipient { get; init; }

    public string? NextHop { get; init; }

    public string? RemoteReply { get; init; }

    public string? DsnStatus { get; init; }

    public int? Attempt { get; init; }

    public double? DelaySeconds { get; init; }

    public SortedDictionary<string, string>? Details { get; init; }

    public static OutboxLine From(RelayEvent e, long sequence) => new()
    {
        Seq = sequence,
        Id = e.Id,
        Type = e.Type,
        Time = e.Time.ToUniversalTime(),
        QueueId = e.QueueId,
        MessageId = e.MessageId,
        ClientId = e.ClientId,
        Sender = e.Sender,
        Recipient = e.Recipient,
        NextHop = e.NextHop,
        RemoteReply = e.RemoteReply,
        DsnStatus = e.DsnStatus,
        Attempt = e.Attempt,
        DelaySeconds = e.DelaySeconds is { } delay ? Math.Round(delay, 3) : null,
        Details = e.Details is { Count: > 0 } details ? new SortedDictionary<string, string>(details.ToDictionary(), StringComparer.Ordinal) : null,
    };

    public RelayEvent ToEvent() => new()
    {
        Id = Id,
        Type = Type,
        Time = Time,
        QueueId = QueueId,
        MessageId = MessageId,
        ClientId = ClientId,
        Sender = Sender,
        Recipient = Recipient,
        NextHop = NextHop,
        RemoteReply = RemoteReply,
        DsnStatus = DsnStatus,
        Attempt = Attempt,
        DelaySeconds = DelaySeconds,
        Details = Details,
    };
}
