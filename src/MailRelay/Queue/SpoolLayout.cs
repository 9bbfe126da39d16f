using System.Globalization;

namespace MailRelay.Queue;

/// <summary>Where the spool keeps its files under the data directory.</summary>
internal sealed class SpoolLayout
{
    /// <summary>The suffix of a queue file (envelope header + message).</summary>
    public const string MessageExtension = ".msg";

    /// <summary>The suffix of a message's delivery state log, beside its queue file.</summary>
    public const string StateExtension = ".state";

    /// <summary>The suffix of a segment file: many small messages and removals, appended (docs/queue-format.md).</summary>
    public const string SegmentExtension = ".seg";

    /// <summary>The suffix of a segment file being prepared (zero-filled); never holds a record, removed at start.</summary>
    public const string PreparingExtension = ".new";

    public SpoolLayout(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        QueueDirectory = Path.Combine(DataDirectory, "queue");
        IncomingDirectory = Path.Combine(QueueDirectory, "incoming");
        ActiveDirectory = Path.Combine(QueueDirectory, "active");
        ControlDirectory = Path.Combine(QueueDirectory, "control");
        SegmentsDirectory = Path.Combine(QueueDirectory, "segments");
        LockPath = Path.Combine(QueueDirectory, "lock");
    }

    public string DataDirectory { get; }

    public string QueueDirectory { get; }

    /// <summary>Messages being received; never acknowledged, so whatever is here at start is discarded.</summary>
    public string IncomingDirectory { get; }

    /// <summary>Committed messages: every file here was acknowledged with 250 (or is being).</summary>
    public string ActiveDirectory { get; }

    /// <summary>Segment files: committed messages that fit one record, and the removals of messages.</summary>
    public string SegmentsDirectory { get; }

    /// <summary>Operator requests for the running daemon (flush, hold, release, delete).</summary>
    public string ControlDirectory { get; }

    /// <summary>The lock file the daemon holds exclusively while it runs.</summary>
    public string LockPath { get; }

    public string StatePath(string queueId) => Path.Combine(ActiveDirectory, queueId + StateExtension);

    public string IncomingPath(string queueId) => Path.Combine(IncomingDirectory, queueId + MessageExtension);

    public string ActivePath(string queueId) => Path.Combine(ActiveDirectory, queueId + MessageExtension);

    /// <summary>Segment <paramref name="sequence"/>: twelve digits, so names sort as numbers.</summary>
    public string SegmentPath(long sequence) => Path.Combine(SegmentsDirectory, sequence.ToString("D12", CultureInfo.InvariantCulture) + SegmentExtension);

    public string PreparingSegmentPath(long sequence) =>
        Path.Combine(SegmentsDirectory, sequence.ToString("D12", CultureInfo.InvariantCulture) + PreparingExtension);

    /// <summary>The sequence number of a segment file's name, or null for any other name.</summary>
    public static long? SegmentSequence(string path)
    {
        var name = Path.GetFileName(path.AsSpan());
        return name.Length == 12 + SegmentExtension.Length
               && name.EndsWith(SegmentExtension, StringComparison.Ordinal)
               && long.TryParse(name[..12], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
    }
}
