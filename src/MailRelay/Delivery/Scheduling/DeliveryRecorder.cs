using System.Globalization;
using MailRelay.Delivery.Dsn;
using MailRelay.Events;
using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// Turns delivery results into durable recipient states, and settles messages: the DSN for failed
/// recipients first, then the removal of the files once every recipient is final. Each state change is
/// fsync'd before memory changes; a message whose results leave nothing to report is simply removed
/// (the removal is the durable record).
/// A state record that cannot be written (the disk is full, or failing) is not dropped, and the memory still
/// changes, so a delivered recipient is not attempted again by this process: the record is kept with the
/// message and written before any later one, retried at every full pass (<see cref="RetryUnwritten"/>) until
/// it is durable, and the message's files are removed only by a removal that succeeded. Until then a crash
/// loses the record, and the next start attempts those recipients again: delivery is at least once, never
/// at most once.
/// Every outcome has its event (docs/events.md), made durable in the outbox before the outcome is recorded or the
/// message removed; an event that cannot be appended holds back its outcome's record, and both are retried (the
/// events first) by the settling of the message. A crash in between leaves the event without its record: the
/// attempt is made again with the same attempt number, and the same outcome gets the same event id.
/// </summary>
internal sealed class DeliveryRecorder
{
    private readonly string _dataDirectory;
    private readonly RetryPolicy _retry;
    private readonly DsnWriter _dsnWriter;
    private readonly IDiskSync _diskSync;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly QueueMetrics? _metrics;
    private readonly Action<QueuedMessage> _removed;
    private readonly RemovalCommitter _removals;
    private readonly TimeSpan? _delayWarning;
    private readonly DeliveryEventWriter _events;
    private readonly ProviderLabels _providers;

    public DeliveryRecorder(
        string dataDirectory,
        RetryPolicy retry,
        DsnWriter dsnWriter,
        IDiskSync diskSync,
        TimeProvider time,
        ILogger logger,
        QueueMetrics? metrics,
        Action<QueuedMessage> removed,
        RemovalCommitter removals,
        TimeSpan? delayWarning = null,
        IEventOutbox? events = null,
        string clientIdHeader = "X-Message-ID",
        ProviderLabels? providers = null)
    {
        _delayWarning = delayWarning;
        _providers = providers ?? new ProviderLabels(null);
        _events = new DeliveryEventWriter(events, clientIdHeader, logger);
        _dataDirectory = dataDirectory;
        _retry = retry;
        _dsnWriter = dsnWriter;
        _diskSync = diskSync;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _removed = removed;
        _removals = removals;
    }

    /// <summary>
    /// Records a finished attempt. Null <paramref name="results"/> means it was cut short: its recipients
    /// stay as they were (pending or deferred) and are attempted again. Returns whether the message now
    /// needs settling (a DSN owed). When the attempt leaves every recipient final with nothing to report,
    /// the message is removed instead of recording the outcomes; the removal is durable (shared with other
    /// removals by <see cref="RemovalCommitter"/>) before this completes.
    /// </summary>
    public async Task<bool> RecordAsync(DeliveryJob job, IReadOnlyList<RecipientResult>? results)
    {
        var message = job.Message;
        if (results is null)
        {
            lock (message.Sync)
            {
                message.ClearInFlight(job.Recipients);
            }

            return false;
        }

        var correlation = _events.CorrelationOf(message);
        await message.RecordGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await RecordOutcomesAsync(job, results, correlation).ConfigureAwait(false);
        }
        finally
        {
            message.RecordGate.Release();
        }
    }

    /// <summary>
    /// The events of the outcomes first (the recipients stay in flight meanwhile, so nothing attempts them again), then
    /// the record or the removal. The caller holds the message's record gate.
    /// </summary>
    private async Task<bool> RecordOutcomesAsync(DeliveryJob job, IReadOnlyList<RecipientResult> results, MessageCorrelation correlation)
    {
        var message = job.Message;
        var now = _time.GetUtcNow();
        var byRecipient = new Dictionary<string, RecipientResult>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            byRecipient.TryAdd(result.Recipient, result);
        }

        var given = job.Recipients.Select(recipient => byRecipient.TryGetValue(recipient, out var result)
            ? result
            : new RecipientResult(recipient, RecipientOutcome.Deferred,
                new RemoteReply(451, "4.3.0", "no result from the transport"), null, null)).ToList();

        List<RelayEvent> events;
        lock (message.Sync)
        {
            if (message.Removed)
            {
                message.ClearInFlight(job.Recipients);
                return false;
            }

            events = [.. given.Select(r => DeliveryEventWriter.ForOutcome(message, NextState(message, message.States[r.Recipient], r, now), r, now, correlation))];
        }

        var eventsDurable = await _events.AppendAsync(message, events).ConfigureAwait(false);
        var updates = new List<(RecipientState State, RecipientResult Result)>(given.Count);
        bool removing;
        bool needsSettling;
        lock (message.Sync)
        {
            message.ClearInFlight(job.Recipients);
            if (message.Removed)
            {
                return false;
            }

            // Derived again from the state as it is now: a settling may have marked a recipient warned meanwhile. The
            // attempt count, so the event, is the same.
            foreach (var result in given)
            {
                updates.Add((NextState(message, message.States[result.Recipient], result, now), result));
            }

            var after = new Dictionary<string, RecipientState>(message.States, StringComparer.Ordinal);
            foreach (var (state, _) in updates)
            {
                after[state.Recipient] = state;
            }

            var allFinal = after.Values.All(s => s.IsFinal);
            needsSettling = after.Values.Any(s => s.Status == RecipientStatus.Failed && !s.Notified) || !eventsDurable;
            removing = eventsDurable && allFinal && !needsSettling && !message.HasInFlight && !message.Settling && !message.HasUnwrittenEvents;
            if (removing)
            {
                // Claimed like a settling, so nothing else removes it or reports on it meanwhile; the new
                // states are in memory at once, so no pass attempts these recipients again.
                message.Settling = true;
            }
            else
            {
                RecordState(message, [.. updates.Select(u => StateRecord.ForRecipient(u.State, now))]);
            }

            foreach (var (state, _) in updates)
            {
                message.States[state.Recipient] = state;
            }
        }

        var removed = false;
        if (removing)
        {
            removed = await TryRemoveAsync(message).ConfigureAwait(false);
            lock (message.Sync)
            {
                message.Settling = false;
                if (message.Removed)
                {
                    // Deleted by the operator meanwhile: that removal already told everyone.
                    removed = false;
                }
                else if (removed)
                {
                    message.Removed = true;
                }
                else
                {
                    // Every recipient is final in memory: settling tries the removal again at the next full pass.
                    RecordState(message, [.. updates.Select(u => StateRecord.ForRecipient(u.State, now))]);
                }
            }
        }

        var provider = _providers.Of(job);
        foreach (var (state, result) in updates)
        {
            Report(message, state, result, now, provider);
        }

        if (removed)
        {
            _removed(message);
        }
        else if (message.Entry.Segment is not null && _removals.Segments is { } segments
                 && updates.Any(u => u.State.Status == RecipientStatus.Deferred))
        {
            // Deferred, it will stay: it moves to a queue file of its own now, as its deferral created its state log,
            // so segments hold mainly mail not yet attempted and a backlog forms in queue files.
            await segments.CopyForwardAsync(message.QueueId).ConfigureAwait(false);
        }

        return needsSettling;
    }

    /// <summary>
    /// Appends <paramref name="records"/> durably, or keeps them with the message for <see cref="RetryUnwritten"/>;
    /// the caller holds the message's lock and changes memory either way. Returns whether they are durable.
    /// </summary>
    public bool RecordState(QueuedMessage message, IReadOnlyList<StateRecord> records)
    {
        if (message.HasUnwrittenEvents)
        {
            // An outcome is never recorded before its event: these wait for the events (retried by the settling).
            message.KeepUnwritten(records);
            return false;
        }

        try
        {
            message.AppendState(_dataDirectory, records, _diskSync);
            return true;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            message.KeepUnwritten(records);
            SchedulerLog.StateWriteFailed(_logger, message.QueueId, ex);
            return false;
        }
    }

    /// <summary>Writes the records a full disk kept back, if any; the caller holds the message's lock.</summary>
    public void RetryUnwritten(QueuedMessage message)
    {
        // Records waiting for their events are written by the settling, once the events are durable.
        if (message.Removed || !message.HasUnwrittenState || message.HasUnwrittenEvents)
        {
            return;
        }

        try
        {
            message.AppendState(_dataDirectory, [], _diskSync);
            SchedulerLog.StateWritten(_logger, message.QueueId);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SchedulerLog.StateStillUnwritten(_logger, message.QueueId, ex.Message);
        }
    }

    private async Task<bool> TryRemoveAsync(QueuedMessage message)
    {
        try
        {
            await _removals.RemoveAsync(message.QueueId, message.MayHaveStateLog).ConfigureAwait(false);
            SchedulerLog.Removed(_logger, message.QueueId);
            return true;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SchedulerLog.RemoveFailed(_logger, message.QueueId, ex);
            return false;
        }
    }

    /// <summary>Whether a settling has work: a DSN owed, a delay warning due, or the files to remove.</summary>
    public bool NeedsSettling(QueuedMessage message, DateTimeOffset now) => message.NeedsSettling(now, _delayWarning);

    /// <summary>
    /// Sends the DSN owed for failed recipients (one for all of them), the delay warning due for recipients
    /// deferred past DELAY_WARNING_TIME (one per message and recipient, ever), and removes the message once
    /// every recipient is final. Does nothing while another settling of the same message runs.
    /// </summary>
    public async Task SettleAsync(QueuedMessage message)
    {
        List<RecipientState> unnotified;
        List<RecipientState> unwarned;
        lock (message.Sync)
        {
            if (message.Removed || message.Settling)
            {
                return;
            }

            unnotified = message.Unnotified();
            unwarned = _delayWarning is { } warning ? message.Unwarned(_time.GetUtcNow(), warning) : [];
            if (!message.HasUnwrittenEvents && unnotified.Count == 0 && unwarned.Count == 0 && !(message.AllFinal && !message.HasInFlight))
            {
                return;
            }

            message.Settling = true;
        }

        try
        {
            if (!await WriteUnwrittenEventsAsync(message).ConfigureAwait(false))
            {
                return;
            }

            // RFC 3461: a recipient given NOTIFY=NEVER, or a NOTIFY list without FAILURE, is settled without a report.
            var envelope = message.Entry.Envelope;
            var reported = unnotified.Where(s => envelope.DsnOptionsOf(s.Recipient).WantsFailure).ToList();
            if (reported.Count > 0 && DsnWriter.IsOwed(message.Entry))
            {
                var dsnRecipients = reported.Select(s => ToDsnRecipient(s, envelope)).ToList();
                var dsnId = await _dsnWriter.SendAsync(message.Entry, dsnRecipients, CancellationToken.None).ConfigureAwait(false);
                _metrics?.DsnGenerated("failed");
                SchedulerLog.DsnQueued(_logger, message.QueueId, dsnId);
            }

            // RFC 3461: delays are reported unless NOTIFY was given without DELAY.
            var delayed = unwarned.Where(s => envelope.DsnOptionsOf(s.Recipient).WantsDelay).ToList();
            List<RelayEvent> warnings = [];
            if (delayed.Count > 0 && DsnWriter.IsOwed(message.Entry))
            {
                var dsnRecipients = delayed.Select(s => ToDsnRecipient(s, envelope) with { Action = DsnAction.Delayed }).ToList();
                var dsnId = await _dsnWriter.SendAsync(message.Entry, dsnRecipients, CancellationToken.None).ConfigureAwait(false);
                _metrics?.DsnGenerated("delayed");
                SchedulerLog.DelayWarningQueued(_logger, message.QueueId, dsnId);
                var correlation = _events.CorrelationOf(message);
                var at = _time.GetUtcNow();
                warnings = [.. delayed.Select(s => DeliveryEventWriter.ForDelayWarning(message, s, at, correlation))];
            }

            await message.RecordGate.WaitAsync().ConfigureAwait(false);
            try
            {
                // A failed append keeps the events, and RecordState then keeps the records behind them.
                await _events.AppendAsync(message, warnings).ConfigureAwait(false);
                await RecordSettledAsync(message, unnotified, unwarned).ConfigureAwait(false);
            }
            finally
            {
                message.RecordGate.Release();
            }
        }
        catch (SpoolException ex)
        {
            SchedulerLog.DsnFailed(_logger, message.QueueId, ex);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            // The DSN is queued but the record of it is not: at worst the next start sends it again.
            SchedulerLog.StateWriteFailed(_logger, message.QueueId, ex);
        }
        finally
        {
            lock (message.Sync)
            {
                message.Settling = false;
            }
        }
    }

    /// <summary>
    /// Appends the events an earlier append could not make durable, then writes the records that waited for them.
    /// Returns whether none is left unwritten.
    /// </summary>
    private async Task<bool> WriteUnwrittenEventsAsync(QueuedMessage message)
    {
        await message.RecordGate.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (message.Sync)
            {
                if (!message.HasUnwrittenEvents)
                {
                    return true;
                }
            }

            if (!await _events.AppendAsync(message, []).ConfigureAwait(false))
            {
                return false;
            }

            lock (message.Sync)
            {
                RetryUnwritten(message);
            }

            return true;
        }
        finally
        {
            message.RecordGate.Release();
        }
    }

    /// <summary>
    /// Marks the reported recipients notified or warned, and removes the message once every recipient is final; the
    /// caller holds the settling's claim (<see cref="QueuedMessage.Settling"/>), so nothing else removes it meanwhile.
    /// </summary>
    private async Task RecordSettledAsync(QueuedMessage message, List<RecipientState> unnotified, List<RecipientState> unwarned)
    {
        List<StateRecord> records;
        lock (message.Sync)
        {
            if (message.Removed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var names = unnotified.Select(s => s.Recipient).ToList();
            foreach (var name in names)
            {
                message.States[name] = message.States[name] with { Notified = true };
            }

            var warned = new List<StateRecord>(unwarned.Count);
            foreach (var state in unwarned)
            {
                var current = message.States[state.Recipient] with { Warned = true };
                message.States[state.Recipient] = current;
                warned.Add(StateRecord.ForRecipient(current, now));
            }

            records = names.Count > 0 ? [StateRecord.ForNotified(names, now), .. warned] : warned;
            if (!(message.AllFinal && !message.HasInFlight && !message.HasUnwrittenEvents))
            {
                if (records.Count > 0)
                {
                    RecordState(message, records);
                }

                return;
            }
        }

        // Every recipient is final and none is in flight: no attempt starts while the removal is made durable.
        var removed = await TryRemoveAsync(message).ConfigureAwait(false);
        lock (message.Sync)
        {
            if (message.Removed)
            {
                // Deleted by the operator meanwhile: that removal already told everyone.
                return;
            }

            if (!removed)
            {
                // The removal is tried again at the next full pass; the report must not be sent twice meanwhile.
                if (records.Count > 0)
                {
                    RecordState(message, records);
                }

                return;
            }

            message.Removed = true;
        }

        _removed(message);
    }

    private RecipientState NextState(QueuedMessage message, RecipientState previous, RecipientResult result, DateTimeOffset now)
    {
        var reply = result.Reply;
        var attempted = previous with
        {
            Attempts = previous.Attempts + 1,
            LastAttempt = now,
            LastReply = reply.ToString(),
            Relay = RelayOf(result),
            NextAttempt = null,
        };
        var nullSender = message.Entry.Envelope.Sender.Length == 0;
        switch (result.Outcome)
        {
            case RecipientOutcome.Delivered:
                return attempted with { Status = RecipientStatus.Delivered, StatusCode = reply.EnhancedCode ?? "2.0.0" };
            case RecipientOutcome.Failed:
                return attempted with
                {
                    Status = RecipientStatus.Failed,
                    StatusCode = PermanentCode(reply),
                    Notified = nullSender,
                };
            default:
                if (_retry.IsExpired(message.Entry.ArrivalTime, now))
                {
                    return attempted with { Status = RecipientStatus.Failed, StatusCode = "4.4.7", Notified = nullSender };
                }

                return attempted with
                {
                    Status = RecipientStatus.Deferred,
                    StatusCode = reply.EnhancedCode ?? "4.0.0",
                    NextAttempt = _retry.NextAttempt(attempted.Attempts, now, message.Entry.ArrivalTime),
                };
        }
    }

    private static string PermanentCode(RemoteReply reply) =>
        reply.EnhancedCode is { } code && code.StartsWith('5') ? code : "5.0.0";

    private static string? RelayOf(RecipientResult result)
    {
        if (result.RemoteHost is null && result.RemoteEndPoint is null)
        {
            return null;
        }

        var host = result.RemoteHost ?? result.RemoteEndPoint!.Address.ToString();
        return result.RemoteEndPoint is { } endPoint
            ? string.Create(CultureInfo.InvariantCulture, $"{host}[{endPoint.Address}]:{endPoint.Port}")
            : host;
    }

    private static DsnRecipient ToDsnRecipient(RecipientState state, SpoolEnvelope envelope) =>
        new(state.Recipient, DsnAction.Failed, state.StatusCode ?? (state.Status == RecipientStatus.Deferred ? "4.0.0" : "5.0.0"), HostOf(state.Relay), state.LastReply, state.LastAttempt,
            OriginalRecipientOf(envelope, state.Recipient));

    /// <summary>The ORCPT as a DSN field value: its address type and the xtext-decoded address.</summary>
    private static string? OriginalRecipientOf(SpoolEnvelope envelope, string recipient)
    {
        if (envelope.DsnOptionsOf(recipient).OriginalRecipient is not { } orcpt)
        {
            return null;
        }

        var semicolon = orcpt.IndexOf(';', StringComparison.Ordinal);
        return semicolon < 0 ? null : orcpt[..semicolon] + "; " + Smtp.Commands.Xtext.Decode(orcpt[(semicolon + 1)..]);
    }

    private static string? HostOf(string? relay)
    {
        if (relay is null)
        {
            return null;
        }

        var bracket = relay.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? relay : relay[..bracket];
    }

    private void Report(QueuedMessage message, RecipientState state, RecipientResult result, DateTimeOffset now, string provider)
    {
        var sinceArrival = now - message.Entry.ArrivalTime;
        var status = state.Status switch
        {
            RecipientStatus.Delivered => "sent",
            RecipientStatus.Deferred => "deferred",
            _ => "bounced",
        };
        var expired = state.StatusCode == "4.4.7" && result.Outcome == RecipientOutcome.Deferred;
        SchedulerLog.Attempt(
            _logger,
            message.QueueId,
            state.Recipient,
            state.Relay ?? "none",
            sinceArrival.TotalSeconds,
            state.StatusCode ?? "4.0.0",
            status,
            expired ? "delivery time expired: " : string.Empty,
            result.Reply);
        _metrics?.Attempt(status, provider);
        if (state.Status == RecipientStatus.Delivered)
        {
            _metrics?.Delivered(sinceArrival);
        }
    }
}
