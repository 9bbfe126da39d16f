namespace MailRelay.Queue;

/// <summary>
/// Changes to a message's files, shared by the daemon and by the CLI when no daemon runs (it then holds
/// <see cref="QueueLock"/>). The queue file goes first: once it is gone the message is gone, and a state
/// log left without its message is removed at the next start.
/// </summary>
internal static class QueueFileOperations
{
    /// <summary>
    /// Removes a message's queue file and state log durably; false when there was no such file. For the CLI when no
    /// daemon runs, after every segment message was copied into a queue file; the daemon removes through
    /// <see cref="RemovalCommitter"/>, which knows segments.
    /// </summary>
    public static bool Delete(string dataDirectory, string queueId, IDiskSync diskSync)
    {
        var layout = new SpoolLayout(dataDirectory);
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
    /// <param name="inSegment">
    /// Whether a message is live in a segment: the running daemon's segment log knows; with no daemon running, every
    /// segment message was copied into a queue file first and none is.
    /// </param>
    public static bool SetHold(string dataDirectory, string queueId, bool held, DateTimeOffset now, IDiskSync diskSync, Func<string, bool> inSegment)
    {
        var layout = new SpoolLayout(dataDirectory);
        if (!File.Exists(layout.ActivePath(queueId)) && !inSegment(queueId))
        {
            return false;
        }

        // The state log is a file of its own for a message kept in a segment too.
        MessageStateLog.Append(layout.StatePath(queueId), [StateRecord.ForHold(held, now)], diskSync);
        return true;
    }

    /// <summary>Removes state logs whose message is gone (a crash between the two removals).</summary>
    /// <param name="inSegment">Whether a message without a queue file is live in a segment.</param>
    public static int RemoveOrphanStates(string dataDirectory, IDiskSync diskSync, Func<string, bool> inSegment)
    {
        var layout = new SpoolLayout(dataDirectory);
        var removed = 0;
        foreach (var state in Directory.EnumerateFiles(layout.ActiveDirectory, "*" + SpoolLayout.StateExtension))
        {
            var queueId = Path.GetFileNameWithoutExtension(state);
            if (!File.Exists(layout.ActivePath(queueId)) && !inSegment(queueId))
            {
                diskSync.Delete(state);
                removed++;
            }
        }

        return removed;
    }
}
