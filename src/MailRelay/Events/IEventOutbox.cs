namespace MailRelay.Events;

/// <summary>The writing side of the durable event outbox in DATA_DIR/events (docs/events.md).</summary>
public interface IEventOutbox
{
    /// <summary>
    /// Appends <paramref name="events"/> in order and returns once they are durable (fsync'd, shared with concurrent
    /// appends), each with its sequence number; listeners are told after that. Throws an I/O exception when they
    /// could not be made durable: the caller then does not record the outcome either.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken = default);
}

/// <summary>An event as it sits in the outbox: its sequence number and its JSON line (UTF-8, no line end).</summary>
public sealed record OutboxRecord(long Sequence, string Id, string Type, string? QueueId, DateTimeOffset Time, ReadOnlyMemory<byte> Json);

/// <summary>The reading side of the outbox, for consumers that deliver events elsewhere (the webhooks).</summary>
public interface IEventOutboxReader
{
    /// <summary>One past the sequence number of the last durable event (sequence numbers start at 1).</summary>
    long NextSequence { get; }

    /// <summary>Up to <paramref name="max"/> durable events with a sequence number of at least <paramref name="from"/>, in order.</summary>
    IReadOnlyList<OutboxRecord> Read(long from, int max);

    /// <summary>Completes once <see cref="NextSequence"/> is above <paramref name="sequence"/>.</summary>
    Task WaitBeyondAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Registers <paramref name="consumer"/> (a stable name) and returns the sequence number it had acknowledged up to
    /// (exclusive) when it last ran, or the first retained one for a new consumer.
    /// </summary>
    long Register(string consumer);

    /// <summary>
    /// Durably records that <paramref name="consumer"/> needs no event below <paramref name="sequence"/> any more; files
    /// whose events every registered consumer has acknowledged are deleted.
    /// </summary>
    void Acknowledge(string consumer, long sequence);
}

/// <summary>In-process consumers told of every event once it is durable (suppression list, metrics).</summary>
public interface IRelayEventListener
{
    /// <summary>Called after each durable append, in order; must not block (hand work off if it is slow).</summary>
    void OnEvents(IReadOnlyList<RelayEvent> events);
}
