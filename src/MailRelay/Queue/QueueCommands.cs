using MailRelay.Configuration;

namespace MailRelay.Queue;

/// <summary>
/// <c>MailRelay queue list | show ID | flush [ID] | delete ID | hold ID | release ID</c>, safe beside a
/// running daemon. Reading never needs the daemon's cooperation. A change is applied to the files directly
/// when the queue lock is free (no daemon runs; the CLI holds the lock meanwhile); otherwise it is handed
/// to the daemon as a request file in <c>queue/control/</c>, which the daemon applies within moments.
/// A flush always goes through the daemon: with none running, it waits for the next start. Exit codes:
/// 0 done (or handed over), 1 failed, 2 usage error.
/// </summary>
public static class QueueCommands
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static int RunList(RelayConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return RunList(configuration.DataDirectory, stdout, stderr);
    }

    public static int RunShow(RelayConfiguration configuration, string queueId, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return RunShow(configuration.DataDirectory, queueId, stdout, stderr);
    }

    /// <param name="queueId">One message, or null for the whole queue.</param>
    public static int RunFlush(RelayConfiguration configuration, string? queueId, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return RunFlush(configuration.DataDirectory, queueId, TimeProvider.System, stdout, stderr);
    }

    public static int RunDelete(RelayConfiguration configuration, string queueId, TextWriter stdout, TextWriter stderr) =>
        RunChange(configuration, ControlCommand.Delete, queueId, stdout, stderr);

    public static int RunHold(RelayConfiguration configuration, string queueId, TextWriter stdout, TextWriter stderr) =>
        RunChange(configuration, ControlCommand.Hold, queueId, stdout, stderr);

    public static int RunRelease(RelayConfiguration configuration, string queueId, TextWriter stdout, TextWriter stderr) =>
        RunChange(configuration, ControlCommand.Release, queueId, stdout, stderr);

    internal static int RunList(string dataDirectory, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var layout = new SpoolLayout(dataDirectory);
        var unreadable = new List<UnreadableQueueFile>();
        IEnumerable<(QueueEntry, MessageState)> Messages()
        {
            // One message read and written at a time: the first lines come at once, however long the queue.
            foreach (var entry in new QueueReader(dataDirectory).EnumerateCommitted(unreadable.Add, ordered: true))
            {
                MessageState state;
                try
                {
                    state = MessageStateLog.Read(layout.StatePath(entry.QueueId));
                }
                catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
                {
                    stderr.WriteLine($"{entry.QueueId}: unreadable delivery state: {ex.Message}");
                    state = MessageState.Empty;
                }

                yield return (entry, state);
            }
        }

        QueueListing.Write(Messages(), unreadable, stdout);
        return Success;
    }

    internal static int RunShow(string dataDirectory, string queueId, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!IsQueueId(queueId, stderr))
        {
            return Usage;
        }

        var layout = new SpoolLayout(dataDirectory);
        var entry = QueueReader.TryReadAny(layout, queueId, out var problem);
        if (entry is null)
        {
            stderr.WriteLine(problem is null ? $"{queueId}: no such message" : $"{queueId}: unreadable: {problem}");
            return Failure;
        }

        MessageState state;
        try
        {
            state = MessageStateLog.Read(layout.StatePath(queueId));
            QueueShow.Write(entry, state, stdout);
        }
        catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
        {
            stderr.WriteLine($"{queueId}: {ex.Message}");
            return Failure;
        }

        return Success;
    }

    internal static int RunFlush(string dataDirectory, string? queueId, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (queueId is not null)
        {
            if (!IsQueueId(queueId, stderr))
            {
                return Usage;
            }

            if (!Exists(dataDirectory, queueId, stderr))
            {
                return Failure;
            }
        }

        try
        {
            ControlDirectory.Write(dataDirectory, new ControlRequest(ControlCommand.Flush, queueId), time.GetUtcNow());
            using var probe = QueueLock.TryAcquire(dataDirectory);
            stdout.WriteLine(probe is null
                ? "flush requested from the running daemon"
                : "the daemon is not running; the flush will happen when it starts");
            return Success;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            stderr.WriteLine($"cannot request a flush: {ex.Message}");
            return Failure;
        }
    }

    internal static int RunChange(
        string dataDirectory, ControlCommand command, string queueId, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!IsQueueId(queueId, stderr))
        {
            return Usage;
        }

        if (!Exists(dataDirectory, queueId, stderr))
        {
            return Failure;
        }

        try
        {
            using var queueLock = QueueLock.TryAcquire(dataDirectory);
            if (queueLock is null)
            {
                ControlDirectory.Write(dataDirectory, new ControlRequest(command, queueId), time.GetUtcNow());
                stdout.WriteLine($"{queueId}: {Verb(command)} requested from the running daemon");
                return Success;
            }

            // No daemon runs, and none can start while we hold the lock: the files are changed directly, so every
            // message kept in a segment becomes a queue file first.
            var diskSync = new PosixDiskSync();
            Segments.SegmentMaterializer.MaterializeAll(new SpoolLayout(dataDirectory), diskSync);
            var done = command switch
            {
                ControlCommand.Delete => QueueFileOperations.Delete(dataDirectory, queueId, diskSync),
                _ => QueueFileOperations.SetHold(dataDirectory, queueId, command == ControlCommand.Hold, time.GetUtcNow(), diskSync, static _ => false),
            };
            if (!done)
            {
                stderr.WriteLine($"{queueId}: no such message");
                return Failure;
            }

            stdout.WriteLine($"{queueId}: {Done(command)}");
            return Success;
        }
        catch (Exception ex) when (ex is QueueFormatException || SpoolFiles.IsIoFailure(ex))
        {
            stderr.WriteLine($"{queueId}: {ex.Message}");
            return Failure;
        }
    }

    private static int RunChange(RelayConfiguration configuration, ControlCommand command, string queueId, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return RunChange(configuration.DataDirectory, command, queueId, TimeProvider.System, stdout, stderr);
    }

    private static bool IsQueueId(string? queueId, TextWriter stderr)
    {
        if (queueId is not null && QueueIdGenerator.IsWellFormed(queueId))
        {
            return true;
        }

        stderr.WriteLine($"{queueId}: not a queue id");
        return false;
    }

    private static bool Exists(string dataDirectory, string queueId, TextWriter stderr)
    {
        // A queue file, or a message kept in a segment; the second look at the file catches a copy forward whose
        // segment was retired between the first two.
        var layout = new SpoolLayout(dataDirectory);
        if (File.Exists(layout.ActivePath(queueId))
            || Segments.SegmentScan.Read(layout).Live.ContainsKey(queueId)
            || File.Exists(layout.ActivePath(queueId)))
        {
            return true;
        }

        stderr.WriteLine($"{queueId}: no such message");
        return false;
    }

    private static string Verb(ControlCommand command) => command.ToString().ToLowerInvariant();

    private static string Done(ControlCommand command) => command switch
    {
        ControlCommand.Delete => "deleted",
        ControlCommand.Hold => "placed on hold",
        _ => "released from hold",
    };
}
