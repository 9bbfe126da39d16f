using System.Collections.Concurrent;
using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// The active window, as Postfix's <c>qmgr_message_active_limit</c>: every queued message has a
/// <see cref="QueueSlot"/> of a few numbers in memory, but only at most QUEUE_ACTIVE_LIMIT of them have their full
/// record (<see cref="QueuedMessage"/>: envelope and recipient states), those due now, in flight or settling. A
/// message leaves the window once nothing about it is in progress or only in memory; it comes back, read again from
/// its queue file and state log, when it falls due, in due order, as room allows. A week-long outage with half a
/// million deferred messages costs their slots, not their envelopes.
/// </summary>
public sealed partial class QueueScheduler
{
    private readonly ConcurrentDictionary<string, QueuedMessage> _window = new(StringComparer.Ordinal);
    private readonly PriorityQueue<QueueSlot, long> _due = new();
    private readonly Lock _dueSync = new();

    /// <summary>Messages whose full record is in memory (the active window).</summary>
    internal int WindowCount => _window.Count;

    /// <summary>Puts a full record in the window.</summary>
    private void Enter(QueueSlot slot, QueuedMessage message)
    {
        lock (slot)
        {
            slot.Message = message;
        }

        _window[message.QueueId] = message;
    }

    /// <summary>
    /// Takes a message out of the window if it may leave (see <see cref="QueuedMessage.CanLeaveWindow"/>); its slot
    /// keeps its counts and due time. The caller holds the message's lock. Returns whether it left.
    /// </summary>
    private bool TryLeave(QueuedMessage message, DateTimeOffset now)
    {
        if (!message.CanLeaveWindow(now, _options.DelayWarning) || !_messages.TryGetValue(message.QueueId, out var slot))
        {
            return false;
        }

        var due = message.WakeTicks(_options.DelayWarning);
        lock (slot)
        {
            if (!ReferenceEquals(slot.Message, message))
            {
                return false;
            }

            slot.DueTicks = due;
            slot.OpenRecipients = message.OpenRecipients;
            slot.Held = message.Held;
            slot.Flushed = false;
            slot.Message = null;
        }

        message.Evicted = true;
        _window.TryRemove(message.QueueId, out _);
        if (!message.Held)
        {
            AddDue(slot, due);
        }

        return true;
    }

    /// <summary>Queues a slot to come back into the window at <paramref name="dueTicks"/>.</summary>
    private void AddDue(QueueSlot slot, long dueTicks)
    {
        if (dueTicks == QueueSlot.Never)
        {
            return;
        }

        lock (_dueSync)
        {
            _due.Enqueue(slot, dueTicks);
        }
    }

    /// <summary>When the earliest slot out of the window falls due, if the window has room for it.</summary>
    private DateTimeOffset? NextOutOfWindow()
    {
        if (_window.Count >= _options.ActiveLimit)
        {
            // A message that leaves the window or finishes wakes the loop, which then brings the next one in.
            return null;
        }

        lock (_dueSync)
        {
            return _due.TryPeek(out _, out var ticks) ? new DateTimeOffset(Math.Max(ticks, 0), TimeSpan.Zero) : null;
        }
    }

    /// <summary>
    /// Brings back into the window, earliest first, the slots due by <paramref name="now"/>, as many as there is room
    /// for. Entries of the due queue that no longer hold (the slot is gone, in the window, held, or due at another
    /// time) are dropped as they come up.
    /// </summary>
    private List<QueuedMessage> LoadDue(DateTimeOffset now)
    {
        var loaded = new List<QueuedMessage>();
        while (_window.Count < _options.ActiveLimit)
        {
            QueueSlot slot;
            lock (_dueSync)
            {
                if (!_due.TryPeek(out slot!, out var ticks) || ticks > now.UtcTicks)
                {
                    break;
                }

                _due.Dequeue();
                lock (slot)
                {
                    if (slot.Message is not null || slot.Held || slot.DueTicks != ticks)
                    {
                        continue;
                    }
                }
            }

            if (!_messages.TryGetValue(slot.QueueId, out var current) || !ReferenceEquals(current, slot))
            {
                continue;
            }

            if (Load(slot, now) is { } message)
            {
                loaded.Add(message);
            }
        }

        return loaded;
    }

    /// <summary>Reads a message back from its files into the window; null (and its slot dropped) when it cannot be.</summary>
    private QueuedMessage? Load(QueueSlot slot, DateTimeOffset now)
    {
        var layout = new SpoolLayout(_options.DataDirectory);
        string? problem = null;
        QueueEntry? entry;
        try
        {
            entry = _spool.Segments?.TryReadEntry(slot.QueueId);
        }
        catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
        {
            entry = null;
            problem = ex.Message;
        }

        entry ??= problem is null ? QueueReader.TryRead(layout.ActivePath(slot.QueueId), out problem) : null;
        if (entry is null)
        {
            // Gone (nothing else removes a message while the daemon runs), or no longer readable: the operator's now.
            SchedulerLog.Unreadable(_logger, slot.QueueId + SpoolLayout.MessageExtension, problem ?? "no longer in the queue");
            _messages.TryRemove(slot.QueueId, out _);
            return null;
        }

        if (ReadState(entry) is not { } state)
        {
            _messages.TryRemove(slot.QueueId, out _);
            return null;
        }

        var message = new QueuedMessage(entry, state);
        bool flushed;
        lock (slot)
        {
            flushed = slot.Flushed;
            slot.Flushed = false;
        }

        if (flushed)
        {
            lock (message.Sync)
            {
                MakeDeferredDue(message, now);
            }
        }

        Enter(slot, message);
        return message;
    }

    /// <summary>A message's state log; null (logged) when it cannot be read: the message is then left alone for the operator.</summary>
    private MessageState? ReadState(QueueEntry entry)
    {
        try
        {
            return MessageStateLog.Read(new SpoolLayout(_options.DataDirectory).StatePath(entry.QueueId));
        }
        catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
        {
            SchedulerLog.Unreadable(_logger, entry.QueueId + SpoolLayout.StateExtension, ex.Message);
            return null;
        }
    }

    /// <summary>Makes one message's deferred recipients due now, in the window or out of it.</summary>
    private void FlushOne(QueueSlot slot, DateTimeOffset now)
    {
        while (true)
        {
            QueuedMessage? message;
            long due;
            bool held;
            lock (slot)
            {
                message = slot.Message;
                due = slot.DueTicks = Math.Min(slot.DueTicks, now.UtcTicks);
                held = slot.Held;
                if (message is null)
                {
                    // Out of the window: made due when it comes back, which is now.
                    slot.Flushed = true;
                }
            }

            if (message is null)
            {
                if (!held)
                {
                    AddDue(slot, due);
                }

                return;
            }

            lock (message.Sync)
            {
                // A message that left the window meanwhile is flushed through its slot on the next turn.
                if (!message.Evicted)
                {
                    MakeDeferredDue(message, now);
                    return;
                }
            }
        }
    }

    /// <summary>Sets every deferred recipient's next attempt to <paramref name="now"/>; the caller holds the message's lock.</summary>
    private static void MakeDeferredDue(QueuedMessage message, DateTimeOffset now)
    {
        foreach (var state in message.States.Values.Where(s => s.Status == RecipientStatus.Deferred).ToList())
        {
            message.States[state.Recipient] = state with { NextAttempt = now };
        }
    }
}
