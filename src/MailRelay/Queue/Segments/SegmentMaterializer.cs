using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Queue.Segments;

/// <summary>
/// Turns every live segment message into a queue file of its own and removes the segments, for the code that changes
/// queue files while no daemon runs (queue delete, hold, release, the handoff): it then finds every message as a file
/// and needs to know nothing of segments. The caller holds <see cref="QueueLock"/>, so no segment log appends meanwhile.
/// </summary>
/// <remarks>
/// Order, for a crash at any point: each body is written to <c>incoming/</c>, fsync'd and renamed into <c>active/</c>
/// (a queue file of the same id already there wins: it is the message's copy, maybe changed since); one directory fsync
/// of <c>active/</c> makes every rename durable; only then are segments deleted, so until then every message is in its
/// segment, in its queue file, or both (readers take the queue file, <see cref="SegmentScan"/>). A crash before the
/// deletions leaves both, which the next run or the daemon's start settles; a leftover in <c>incoming/</c> was never
/// acknowledged there and is discarded. A segment holding a record that checks but cannot be read
/// (<see cref="SegmentScan.Pinned"/>) is kept for the operator, and so is every segment after the first such one: a
/// later segment may hold the removal record of a message in the kept one, and deleting it would bring that message
/// back. The live messages of the kept segments are copied all the same.
/// </remarks>
internal static class SegmentMaterializer
{
    /// <summary>Copies the live segment messages into queue files, then removes the segments; returns how many were copied.</summary>
    /// <param name="cancellationToken">
    /// Checked before each message (one fsync each, so a large queue takes a while): on cancellation the copies made so
    /// far are made durable and every segment stays.
    /// </param>
    /// <exception cref="IOException">A write, rename, fsync or deletion failed; what was done stays valid (see the remarks).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before every message was copied.</exception>
    public static int MaterializeAll(SpoolLayout layout, IDiskSync disk, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(disk);
        logger ??= NullLogger.Instance;
        if (!Directory.Exists(layout.SegmentsDirectory))
        {
            return 0;
        }

        var scan = SegmentScan.Read(layout, unreadable => SpoolLog.UnreadableSegmentRecord(logger, unreadable.FileName, unreadable.Problem));
        // A copied message whose removal record is durable but whose queue file outlived it (a crash between the two)
        // is gone: its file goes before the segment holding that record does.
        var leftovers = scan.Removed.Where(id => File.Exists(layout.ActivePath(id))).ToList();
        foreach (var queueId in leftovers)
        {
            disk.Delete(layout.ActivePath(queueId));
            disk.Delete(layout.StatePath(queueId));
        }

        if (leftovers.Count > 0)
        {
            disk.SyncDirectory(layout.ActiveDirectory);
        }

        var copied = 0;
        if (scan.Live.Count > 0)
        {
            Directory.CreateDirectory(layout.IncomingDirectory);
            Directory.CreateDirectory(layout.ActiveDirectory);

            try
            {
                // Segment by segment, in record order: each segment's reads go forward through it.
                foreach (var (queueId, location) in scan.Live.OrderBy(m => m.Value.Sequence).ThenBy(m => m.Value.BodyOffset))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var segment = File.OpenHandle(layout.SegmentPath(location.Sequence), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    if (SegmentCopy.ToQueueFile(layout, disk, logger, segment, queueId, location))
                    {
                        copied++;
                    }
                }
            }
            finally
            {
                // Also after a failure or cancellation: the renames made so far are made durable.
                if (copied > 0 || !cancellationToken.IsCancellationRequested)
                {
                    disk.SyncDirectory(layout.ActiveDirectory);
                }
            }
        }

        var firstPinned = scan.Pinned.Count > 0 ? scan.Pinned.Min() : long.MaxValue;
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(layout.SegmentsDirectory))
        {
            var sequence = SpoolLayout.SegmentSequence(path);
            if (path.EndsWith(SpoolLayout.PreparingExtension, StringComparison.Ordinal) || sequence < firstPinned)
            {
                disk.Delete(path);
                deleted++;
            }
        }

        if (deleted > 0)
        {
            disk.SyncDirectory(layout.SegmentsDirectory);
        }

        if (scan.Pinned.Count > 0)
        {
            SpoolLog.SegmentsKept(logger, Path.GetFileName(layout.SegmentPath(firstPinned)));
        }

        if (copied > 0 || deleted > 0)
        {
            SpoolLog.Materialized(logger, copied, deleted);
        }

        return copied;
    }
}
