using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>Recovery at start and admission of newly committed messages.</summary>
public sealed partial class QueueScheduler
{
    private void Recover()
    {
        var layout = new SpoolLayout(_options.DataDirectory);
        Directory.CreateDirectory(layout.ActiveDirectory);
        QueueFileOperations.RemoveOrphanStates(_options.DataDirectory, _diskSync);
        var snapshot = new QueueReader(_options.DataDirectory).ReadCommitted();
        foreach (var file in snapshot.Unreadable)
        {
            SchedulerLog.Unreadable(_logger, file.FileName, file.Problem);
        }

        var recipients = 0;
        foreach (var entry in snapshot.Entries)
        {
            if (Admit(entry) is { } message)
            {
                recipients += message.States.Values.Count(s => !s.IsFinal);
            }
        }

        SchedulerLog.Recovered(_logger, _messages.Count, recipients, snapshot.Unreadable.Count);
    }

    /// <summary>Adds a committed message with its recorded state; null when it is already known or unreadable.</summary>
    /// <param name="fresh">
    /// Just committed by this process: it cannot have a state log yet (its id is new, and operator
    /// changes reach a running daemon as requests), so none is read.
    /// </param>
    private QueuedMessage? Admit(QueueEntry entry, bool fresh = false)
    {
        if (_messages.ContainsKey(entry.QueueId))
        {
            return null;
        }

        MessageState state;
        try
        {
            state = fresh ? MessageState.Empty : MessageStateLog.Read(new SpoolLayout(_options.DataDirectory).StatePath(entry.QueueId));
        }
        catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
        {
            // Never guess about a state we cannot read: the message stays untouched for the operator.
            SchedulerLog.Unreadable(_logger, entry.QueueId + SpoolLayout.StateExtension, ex.Message);
            return null;
        }

        var message = new QueuedMessage(entry, state, mayHaveStateLog: !fresh);
        return _messages.TryAdd(entry.QueueId, message) ? message : null;
    }

    private void AdmitCommitted()
    {
        while (_committed.TryDequeue(out var entry))
        {
            if (Admit(entry, fresh: true) is { } message)
            {
                _touched.Enqueue(message);
            }
        }
    }
}
