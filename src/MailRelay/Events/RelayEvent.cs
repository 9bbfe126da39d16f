namespace MailRelay.Events;

/// <summary>
/// One thing that became of a message, a recipient or the relay, as applications are told of it (docs/events.md):
/// written to the durable outbox in DATA_DIR before the outcome it tells of is recorded, delivered from there to the
/// webhooks at least once. <see cref="Id"/> is stable: the same outcome told twice (after a crash between the
/// event and the record of its outcome) carries the same id, so receivers can drop the second.
/// </summary>
public sealed record RelayEvent
{
    /// <summary>Stable id, derived from what the event tells of (never random), for idempotency.</summary>
    public required string Id { get; init; }

    /// <summary>One of <see cref="RelayEventTypes"/>.</summary>
    public required string Type { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>The queue id of the message it tells of; null for events about the relay itself.</summary>
    public string? QueueId { get; init; }

    /// <summary>The message's Message-ID header field value, without angle brackets, when it has one.</summary>
    public string? MessageId { get; init; }

    /// <summary>The client's correlation id: the value of the header named by EVENTS_CLIENT_ID_HEADER.</summary>
    public string? ClientId { get; init; }

    /// <summary>The envelope sender as the client gave it (empty for the null sender).</summary>
    public string? Sender { get; init; }

    public string? Recipient { get; init; }

    /// <summary>The host the attempt went to, as <c>name[address]:port</c>, when there was one.</summary>
    public string? NextHop { get; init; }

    /// <summary>The remote reply (or our own reason), as one line: <c>550 5.1.1 user unknown</c>.</summary>
    public string? RemoteReply { get; init; }

    /// <summary>The DSN status code (RFC 3463), e.g. <c>2.0.0</c>, <c>4.7.28</c>, <c>5.1.1</c>.</summary>
    public string? DsnStatus { get; init; }

    /// <summary>The attempt number for this recipient, from 1.</summary>
    public int? Attempt { get; init; }

    /// <summary>Seconds from the message's arrival to this event.</summary>
    public double? DelaySeconds { get; init; }

    /// <summary>Further fields of a type (a complaint's feedback type, a blocklist's name); sorted by key on the wire.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
