namespace MailRelay.Queue;

/// <summary>
/// Changes to a message's files, shared by the daemon and by the CLI when no daemon runs (it then holds
/// <see cref="QueueLock"/>). The queue file goes first: once it is gone the message is gone, and a state
/// log left without its message is removed at the next start.
/// </summary>
internal static class QueueFileOperations
{
    /// <summary>Removes a message's files durably; false when there was no such message.</summary>
    /// <param name="segments">
    /// The running daemon's segment log: a message kept in a segment is removed by a removal record there (waited for),
    /// then its state log. Without one (no daemon runs) segment messages have been copied into queue files first.
    /// </param>
    public static bool Delete(string dataDirectory, string queueId, IDiskSync diskSync, Segments.SegmentLog? segments = null)
    {
        var layout = new SpoolLayout(dataDirectory);
        if (segments?.TryRemove(queueId, () =>
            {
                Delete(dataDirectory, queueId, diskSync);
                return Task.CompletedTask;
            }) is { } removal)
        {
            // Rare (an operator's delete, a bounced message's end): one fdatasync is waited for on this thread.
            removal.GetAwaiter().GetResult();
            diskSync.Delete(layout.StatePath(queueId));
            return true;
        }

        var messagePath = layout.ActivePath(queueId);
        if (!File.Exists(messagePath))
        {
            return false;
        }

        diskSync.Delete(messagePath);
        diskSync.Delete(layout.StatePath(queueId));
        diskSync.SyncDirectory(layout.ActiveDirectory);
        return true;
    }

    /// <summary>Records the hold flag durably, for a message with a queue file or kept in a segment; false when there is no such message.</summary>
    /// <param name="inSegment">Whether a message is live in a segment (the running daemon knows); null: the segments are read.</param>
    public static bool SetHold(string dataDirectory, string queueId, bool held, DateTimeOffset now, IDiskSync diskSync, Func<string, bool>? inSegment = null)
    {
        var layout = new SpoolLayout(dataDirectory);
        if (!File.Exists(layout.ActivePath(queueId))
            && !(inSegment ?? (id => Segments.SegmentScan.Read(layout).Live.ContainsKey(id)))(queueId))
        {
            return false;
        }

        // The state log is a file of its own for a message kept in a segment too.
        MessageStateLog.Append(layout.StatePath(queueId), [StateRecord.ForHold(held, now)], diskSync);
        return true;
    }

    /// <summary>Removes state logs whose message is gone (a crash between the two removals).</summary>
    /// <param name="inSegment">Whether a message without a queue file is live in a segment.</param>
    public static int RemoveOrphanStates(string dataDirectory, IDiskSync diskSync, Func<string, bool>? inSegment = null)
    {
        var layout = new SpoolLayout(dataDirectory);
        var removed = 0;
        foreach (var state in Directory.EnumerateFiles(layout.ActiveDirectory, "*" + SpoolLayout.StateExtension))
        {
            var queueId = Path.GetFileNameWithoutExtension(state);
            if (!File.Exists(layout.ActivePath(queueId)) && inSegment?.Invoke(queueId) != true)
            {
                diskSync.Delete(state);
                removed++;
            }
        }

        return removed;
    }
}
