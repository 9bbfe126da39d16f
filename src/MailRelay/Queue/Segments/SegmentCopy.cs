using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Queue.Segments;

/// <summary>
/// Copies a segment message forward into a queue file of its own: its record body (byte for byte what the queue file
/// holds) is written to <c>incoming/&lt;id&gt;.msg</c>, fsync'd and renamed into <c>active/</c>. The caller fsyncs
/// <c>active/</c> once for all it copied before it lets the segment go.
/// </summary>
internal static class SegmentCopy
{
    /// <returns>True when the queue file was written now; false when one of the id was there already (it wins).</returns>
    /// <exception cref="IOException">The copy failed; its file in <c>incoming/</c> has been removed.</exception>
    public static bool ToQueueFile(SpoolLayout layout, IDiskSync disk, ILogger logger, SafeFileHandle segment, string queueId, SegmentLocation location)
    {
        var active = layout.ActivePath(queueId);
        if (File.Exists(active))
        {
            return false;
        }

        var incoming = layout.IncomingPath(queueId);
        var body = ArrayPool<byte>.Shared.Rent(location.BodyLength);
        try
        {
            if (RandomAccess.Read(segment, body.AsSpan(0, location.BodyLength), location.BodyOffset) != location.BodyLength)
            {
                throw new IOException($"segment {Path.GetFileName(layout.SegmentPath(location.Sequence))} ends inside the record of {queueId}");
            }

            // A leftover of a run that stopped before its rename was never acknowledged from there.
            disk.Delete(incoming);
            using (var file = disk.Open(incoming, SpoolFiles.CreateNewOptions()))
            {
                disk.Write(file, body.AsSpan(0, location.BodyLength));
                disk.SyncFile(file);
            }

            disk.Move(incoming, active);
            return true;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolFiles.TryDelete(disk, incoming, logger);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }
}
