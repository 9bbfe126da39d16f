using MailRelay.Events;
using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// Builds the event of each recipient outcome and makes it durable in the outbox before the outcome is recorded
/// (docs/events.md). Events an append could not make durable stay with the message, in order, and go first into its
/// next append; until they are durable no record of their outcomes is written and the message is not removed.
/// </summary>
internal sealed class DeliveryEventWriter
{
    private readonly IEventOutbox? _outbox;
    private readonly string _clientIdHeader;
    private readonly ILogger _logger;

    public DeliveryEventWriter(IEventOutbox? outbox, string clientIdHeader, ILogger logger)
    {
        _outbox = outbox;
        _clientIdHeader = clientIdHeader;
        _logger = logger;
    }

    /// <summary>The event type of an outcome: <c>expired</c> is a deferral that ran out of queue lifetime.</summary>
    public static string TypeOf(RecipientState state, RecipientOutcome outcome) => state.Status switch
    {
        RecipientStatus.Delivered => RelayEventTypes.Delivered,
        RecipientStatus.Failed when outcome == RecipientOutcome.Deferred => RelayEventTypes.Expired,
        RecipientStatus.Failed => RelayEventTypes.Bounced,
        _ => RelayEventTypes.Deferred,
    };

    /// <summary>The message's Message-ID and client id, read from its queue file once and kept with it.</summary>
    public MessageCorrelation CorrelationOf(QueuedMessage message)
    {
        if (_outbox is null)
        {
            return MessageCorrelation.None;
        }

        if (message.Correlation is { } known)
        {
            return known;
        }

        try
        {
            var read = MessageCorrelation.Read(message.Entry, _clientIdHeader);
            message.Correlation = read;
            return read;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            // Not kept: the next event of the message tries again.
            SchedulerLog.CorrelationUnread(_logger, message.QueueId, ex.Message);
            return MessageCorrelation.None;
        }
    }

    /// <summary>The event of one attempt's outcome; <paramref name="state"/> is the recipient's state after it.</summary>
    public static RelayEvent ForOutcome(QueuedMessage message, RecipientState state, RecipientResult result, DateTimeOffset now, MessageCorrelation correlation)
    {
        var type = TypeOf(state, result.Outcome);
        return new RelayEvent
        {
            Id = RelayEventIds.ForRecipient(type, message.QueueId, state.Recipient, state.Attempts),
            Type = type,
            Time = now,
            QueueId = message.QueueId,
            MessageId = correlation.MessageId,
            ClientId = correlation.ClientId,
            Sender = message.Entry.Envelope.Sender,
            Recipient = state.Recipient,
            NextHop = state.Relay,
            RemoteReply = result.Reply.ToString(),
            DsnStatus = state.StatusCode,
            Attempt = state.Attempts,
            DelaySeconds = Math.Max(0, (now - message.Entry.ArrivalTime).TotalSeconds),
        };
    }

    /// <summary>
    /// The event of a delay warning sent for a recipient. A recipient is warned once, ever, so its id is derived from
    /// the type, queue id and recipient alone.
    /// </summary>
    public static RelayEvent ForDelayWarning(QueuedMessage message, RecipientState state, DateTimeOffset now, MessageCorrelation correlation) => new()
    {
        Id = RelayEventIds.Of(RelayEventTypes.Delayed, message.QueueId, state.Recipient),
        Type = RelayEventTypes.Delayed,
        Time = now,
        QueueId = message.QueueId,
        MessageId = correlation.MessageId,
        ClientId = correlation.ClientId,
        Sender = message.Entry.Envelope.Sender,
        Recipient = state.Recipient,
        NextHop = state.Relay,
        RemoteReply = state.LastReply,
        DsnStatus = state.StatusCode,
        Attempt = state.Attempts,
        DelaySeconds = Math.Max(0, (now - message.Entry.ArrivalTime).TotalSeconds),
    };

    /// <summary>
    /// Appends the message's unwritten events and then <paramref name="events"/>, durably; on failure the new ones are
    /// kept after the unwritten ones. The caller holds <see cref="QueuedMessage.RecordGate"/> (one append of a message
    /// at a time, so the unwritten ones keep their order) but not its lock. Returns whether all are durable.
    /// </summary>
    public async Task<bool> AppendAsync(QueuedMessage message, IReadOnlyList<RelayEvent> events)
    {
        if (_outbox is null)
        {
            return true;
        }

        List<RelayEvent> all;
        int unwritten;
        lock (message.Sync)
        {
            unwritten = message.UnwrittenEvents.Count;
            all = [.. message.UnwrittenEvents, .. events];
        }

        if (all.Count == 0)
        {
            return true;
        }

        var durable = false;
        try
        {
            await _outbox.AppendAsync(all).ConfigureAwait(false);
            durable = true;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SchedulerLog.EventsUnwritten(_logger, message.QueueId, all.Count, ex.Message);
        }

        lock (message.Sync)
        {
            if (durable)
            {
                message.ConfirmEvents(unwritten);
            }
            else
            {
                message.KeepUnwrittenEvents(events);
            }
        }

        return durable;
    }
}
