using System.Net.Sockets;
using MailRelay.Queue;
using MailRelay.Queue.Segments;

namespace MailRelay.Handoff;

/// <summary>
/// Moves a stopped queue (the daemon after its spool stopped, or <c>queue handoff</c> on a DATA_DIR no daemon
/// uses) to a peer relay over SMTP, holding the queue lock throughout. The messages kept in segment files become queue
/// files first (<see cref="SegmentMaterializer"/>), so the handoff removes files only. Each message goes with its recipients not yet
/// final and is removed here only after the peer's 250 for its content, durably (directory fsync) before the next
/// one starts: a crash at any point loses nothing and sends again at most the one message in flight. Recipients the
/// peer refused stay here, the ones it took are recorded as delivered to it. What the deadline cuts off stays too.
/// </summary>
public static class QueueHandoff
{
    /// <exception cref="HandoffException">Another process (a running daemon) holds the queue lock.</exception>
    public static async Task<HandoffResult> RunAsync(
        string dataDirectory, string host, int port, string heloName, TimeProvider time, ILogger logger, CancellationToken cancellationToken) =>
        await RunAsync(dataDirectory, host, port, heloName, time, logger, new PosixDiskSync(), cancellationToken).ConfigureAwait(false);

    internal static async Task<HandoffResult> RunAsync(
        string dataDirectory, string host, int port, string heloName, TimeProvider time, ILogger logger, IDiskSync diskSync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        using var queueLock = QueueLock.TryAcquire(dataDirectory)
            ?? throw new HandoffException($"A running daemon holds the queue lock in {dataDirectory}; stop it first");
        // The handoff removes queue files: the messages kept in segments become queue files first.
        var layout = new SpoolLayout(dataDirectory);
        try
        {
            SegmentMaterializer.MaterializeAll(layout, diskSync, logger, cancellationToken);
        }
        catch (Exception exception) when (SpoolFiles.IsIoFailure(exception) || exception is OperationCanceledException)
        {
            var remaining = new QueueReader(dataDirectory).ListOldestFirst().MessageCount;
            return new HandoffResult(0, remaining, exception is OperationCanceledException
                ? Describe(exception, string.Empty)
                : $"cannot copy the segment messages into queue files: {exception.Message}");
        }

        // Oldest first, one envelope at a time: a queue of any size is never all in memory. The queue files are counted
        // from their names for the messages that remain.
        var files = new QueueReader(dataDirectory).ListOldestFirst();
        var total = files.MessageCount;
        if (total == 0)
        {
            return new HandoffResult(0, 0, null);
        }

        var handedOver = 0;
        HandoffClient client;
        try
        {
            client = await HandoffClient.ConnectAsync(host, port, heloName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HandoffException or OperationCanceledException)
        {
            return new HandoffResult(0, total, Describe(exception, $"{host}:{port}"));
        }

        await using (client.ConfigureAwait(false))
        {
            foreach (var path in files.Paths())
            {
                if (QueueReader.TryReadCommitted(path, file => HandoffLog.UnreadableFile(logger, file.FileName, file.Problem)) is not { } entry)
                {
                    // Unreadable: it stays here for the operator; a queue file (*.msg) among them counts as remaining.
                    continue;
                }

                MessageState state;
                try
                {
                    state = MessageStateLog.Read(layout.StatePath(entry.QueueId));
                }
                catch (Exception exception) when (exception is QueueFormatException || SpoolFiles.IsIoFailure(exception))
                {
                    HandoffLog.Unreadable(logger, entry.QueueId, exception.Message);
                    continue;
                }

                var pending = entry.Envelope.Recipients.Distinct(StringComparer.Ordinal).Where(r => !state.For(r).IsFinal).ToList();
                if (pending.Count == 0)
                {
                    // Every recipient is final: only a DSN still owed keeps it, which the daemon writes at its next start.
                    continue;
                }

                IReadOnlyList<string> taken;
                try
                {
                    taken = await client.SendAsync(entry, pending, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
                {
                    return new HandoffResult(handedOver, total - handedOver, Describe(exception, client.Peer));
                }

                try
                {
                    if (taken.Count == pending.Count)
                    {
                        QueueFileOperations.Delete(dataDirectory, entry.QueueId, diskSync);
                        handedOver++;
                        HandoffLog.HandedOver(logger, entry.QueueId, client.Peer, taken.Count);
                    }
                    else
                    {
                        RecordTaken(layout, entry.QueueId, taken, client.Peer, time, diskSync);
                        HandoffLog.Refused(logger, entry.QueueId, client.Peer, pending.Count - taken.Count, pending.Count);
                    }
                }
                catch (Exception exception) when (SpoolFiles.IsIoFailure(exception))
                {
                    // The peer has it but this copy could not be let go of: it would be sent twice, so stop here.
                    return new HandoffResult(handedOver, total - handedOver, $"{entry.QueueId}: cannot remove after the handoff: {exception.Message}");
                }
            }
        }

        return new HandoffResult(handedOver, total - handedOver, null);
    }

    private static void RecordTaken(SpoolLayout layout, string queueId, IReadOnlyList<string> taken, string peer, TimeProvider time, IDiskSync diskSync)
    {
        if (taken.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var records = taken.Select(r => StateRecord.ForRecipient(
            new RecipientState(r, RecipientStatus.Delivered)
            {
                LastAttempt = now,
                LastReply = "250 handed over",
                StatusCode = "2.0.0",
                Relay = peer,
            },
            now)).ToList();
        MessageStateLog.Append(layout.StatePath(queueId), records, diskSync);
    }

    private static string Describe(Exception exception, string peer) => exception switch
    {
        OperationCanceledException => "the handoff deadline passed",
        HandoffException => exception.Message,
        _ => $"{peer}: {exception.Message}",
    };
}
