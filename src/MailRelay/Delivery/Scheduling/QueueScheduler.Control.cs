using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>Operator requests handed over by the CLI through <c>queue/control/</c> (see docs/operations.md).</summary>
public sealed partial class QueueScheduler
{
    private FileSystemWatcher? WatchControlDirectory()
    {
        try
        {
            var watcher = new FileSystemWatcher(new SpoolLayout(_options.DataDirectory).ControlDirectory, "*" + ControlDirectory.RequestExtension);
            watcher.Created += (_, _) => ControlRequested();
            watcher.Renamed += (_, _) => ControlRequested();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Without notifications requests are still applied at every full pass.
            SchedulerLog.ControlIgnored(_logger, "watch " + ControlDirectory.PathOf(_options.DataDirectory), ex.Message);
            return null;
        }
    }

    private void ControlRequested()
    {
        Interlocked.Exchange(ref _controlPending, 1);
        Wake();
    }

    private void ApplyControlRequests()
    {
        var applied = false;
        foreach (var (path, request) in ControlDirectory.ReadPending(_options.DataDirectory))
        {
            if (request is null)
            {
                SchedulerLog.ControlIgnored(_logger, Path.GetFileName(path), "not a request");
            }
            else
            {
                Apply(request);
            }

            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                SchedulerLog.ControlIgnored(_logger, Path.GetFileName(path), "cannot remove: " + ex.Message);
            }

            if (request is not null)
            {
                applied = true;
                ControlApplied?.Invoke(request);
            }
        }

        if (applied)
        {
            // A hold, release or delete changes what is due: look at every message in this pass.
            Interlocked.Exchange(ref _fullPassRequested, 1);
        }
    }

    private void Apply(ControlRequest request)
    {
        if (request.Command == ControlCommand.Flush)
        {
            Flush(request.QueueId);
            SchedulerLog.ControlApplied(_logger, request);
            return;
        }

        if (request.QueueId is null || !_messages.TryGetValue(request.QueueId, out var slot))
        {
            SchedulerLog.ControlIgnored(_logger, request.ToString(), "no such message");
            return;
        }

        QueuedMessage? message;
        lock (slot)
        {
            // Only this loop brings messages into the window and takes them out: this holds until the request is applied.
            message = slot.Message;
        }

        if (message is null)
        {
            ApplyOutOfWindow(slot, request);
            return;
        }

        lock (message.Sync)
        {
            if (message.Removed)
            {
                SchedulerLog.ControlIgnored(_logger, request.ToString(), "no such message");
                return;
            }

            if (request.Command is ControlCommand.Hold or ControlCommand.Release)
            {
                var held = request.Command == ControlCommand.Hold;
                // Kept and written again at each full pass if the disk is full; in force at once either way.
                _recorder.RecordState(message, [StateRecord.ForHold(held, _time.GetUtcNow())]);
                message.Held = held;
                SchedulerLog.HoldChanged(_logger, message.QueueId, held ? "placed on hold" : "released from hold");
                SchedulerLog.ControlApplied(_logger, request);
                return;
            }

            // Claimed: results of attempts still in flight are dropped when they arrive, and nothing settles it.
            message.Removed = true;
        }

        if (RemoveNow(message.QueueId, message.MayHaveStateLog) is { } failure)
        {
            lock (message.Sync)
            {
                // Not known removed: it stays queued, and a later request may remove it.
                message.Removed = false;
            }

            SchedulerLog.ControlIgnored(_logger, request.ToString(), failure.Message);
            return;
        }

        OnRemoved(message);
        SchedulerLog.ControlApplied(_logger, request);
    }

    /// <summary>
    /// Removes an operator-deleted message through the removal committer (a removal record for a segment message) and
    /// waits for it: requests are applied one at a time, in the pass, and each is done when the pass goes on. Returns the
    /// failure when the removal is not known durable.
    /// </summary>
    private Exception? RemoveNow(string queueId, bool withStateLog)
    {
        try
        {
            _removals.RemoveAsync(queueId, withStateLog).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            return ex;
        }
    }

    /// <summary>Whether a message is on disk as `queue list` reads it: its queue file, or a live record of a segment.</summary>
    private bool IsQueuedOnDisk(string queueId) =>
        File.Exists(new SpoolLayout(_options.DataDirectory).ActivePath(queueId)) || InSegment(queueId);

    /// <summary>Whether a message without a queue file is kept in a segment; the spool's segment log knows.</summary>
    private bool InSegment(string queueId) => _spool.Segments?.Contains(queueId) == true;

    /// <summary>A hold, release or delete of a message out of the window: on its files, then its slot.</summary>
    private void ApplyOutOfWindow(QueueSlot slot, ControlRequest request)
    {
        bool found;
        if (request.Command == ControlCommand.Delete)
        {
            found = IsQueuedOnDisk(slot.QueueId);
            if (found && RemoveNow(slot.QueueId, withStateLog: true) is { } failure)
            {
                SchedulerLog.ControlIgnored(_logger, request.ToString(), failure.Message);
                return;
            }
        }
        else
        {
            try
            {
                found = QueueFileOperations.SetHold(
                    _options.DataDirectory, slot.QueueId, request.Command == ControlCommand.Hold, _time.GetUtcNow(), _diskSync, InSegment);
            }
            catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
            {
                SchedulerLog.ControlIgnored(_logger, request.ToString(), ex.Message);
                return;
            }
        }

        if (!found || request.Command == ControlCommand.Delete)
        {
            _messages.TryRemove(slot.QueueId, out _);
            MessageRemoved?.Invoke(slot.QueueId);
            if (!found)
            {
                SchedulerLog.ControlIgnored(_logger, request.ToString(), "no such message");
                return;
            }
        }
        else
        {
            var held = request.Command == ControlCommand.Hold;
            long due;
            lock (slot)
            {
                slot.Held = held;
                due = slot.DueTicks;
            }

            if (!held)
            {
                AddDue(slot, due);
            }

            SchedulerLog.HoldChanged(_logger, slot.QueueId, held ? "placed on hold" : "released from hold");
        }

        SchedulerLog.ControlApplied(_logger, request);
    }
}
