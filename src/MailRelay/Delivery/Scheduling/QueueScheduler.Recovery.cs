using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>Recovery at start and admission of newly committed messages.</summary>
public sealed partial class QueueScheduler
{
    /// <summary>
    /// Gives every committed message its slot, read from its header line and state log one at a time, so a queue of
    /// any size is never all in memory; the first pass brings the due ones into the window. Admission is safe from
    /// several threads: the slots are a concurrent dictionary and the due queue has its lock.
    /// </summary>
    private void Recover()
    {
        var layout = new SpoolLayout(_options.DataDirectory);
        Directory.CreateDirectory(layout.ActiveDirectory);
        var unreadable = 0;
        var recipients = 0;
        var segments = _spool.Segments?.Recover(file =>
        {
            Interlocked.Increment(ref unreadable);
            SchedulerLog.Unreadable(_logger, file.FileName, file.Problem);
        }) ?? [];
        QueueFileOperations.RemoveOrphanStates(_options.DataDirectory, _diskSync, InSegment);
        foreach (var entry in segments)
        {
            if (Admit(entry) is { } slot)
            {
                recipients += slot.OpenRecipients;
            }
        }

        // Reading the files is most of a restart's work: every core reads, each file on its own.
        Parallel.ForEach(
            new QueueReader(_options.DataDirectory).EnumerateButStateLogs(),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            path =>
            {
                var entry = QueueReader.TryReadCommitted(path, file =>
                {
                    Interlocked.Increment(ref unreadable);
                    SchedulerLog.Unreadable(_logger, file.FileName, file.Problem);
                });
                if (entry is not null && Admit(entry) is { } slot)
                {
                    Interlocked.Add(ref recipients, slot.OpenRecipients);
                }
            });

        SchedulerLog.Recovered(_logger, _messages.Count, recipients, unreadable);
    }

    /// <summary>
    /// Adds a committed message with its recorded state: a slot out of the window, due as its state says, or with
    /// <paramref name="fresh"/> and room in the window its full record there. Null when it is already known or its
    /// state is unreadable.
    /// </summary>
    /// <param name="fresh">
    /// Just committed by this process: it cannot have a state log yet (its id is new, and operator
    /// changes reach a running daemon as requests), so none is read.
    /// </param>
    private QueueSlot? Admit(QueueEntry entry, bool fresh = false)
    {
        if (_messages.ContainsKey(entry.QueueId))
        {
            return null;
        }

        var state = fresh ? MessageState.Empty : ReadState(entry);
        if (state is null)
        {
            // Never guess about a state we cannot read: the message stays untouched for the operator.
            return null;
        }

        var message = new QueuedMessage(entry, state, mayHaveStateLog: !fresh);
        var slot = new QueueSlot(entry.QueueId, entry.ArrivalTime)
        {
            DueTicks = message.WakeTicks(_options.DelayWarning),
            OpenRecipients = message.OpenRecipients,
            Held = message.Held,
        };
        if (!_messages.TryAdd(entry.QueueId, slot))
        {
            return null;
        }

        if (fresh && _window.Count < _options.ActiveLimit)
        {
            Enter(slot, message);
            _touched.Enqueue(message);
        }
        else if (!slot.Held)
        {
            AddDue(slot, slot.DueTicks);
        }

        return slot;
    }

    private void AdmitCommitted()
    {
        while (_committed.TryDequeue(out var entry))
        {
            Admit(entry, fresh: true);
        }
    }
}
