namespace MailRelay.Queue;

/// <summary>Where the spool keeps its files under the data directory.</summary>
internal sealed class SpoolLayout
{
    /// <summary>The suffix of a queue file (envelope header + message).</summary>
    public const string MessageExtension = ".msg";

    /// <summary>The suffix of a message's delivery state log, beside its queue file.</summary>
    public const string StateExtension = ".state";

    public SpoolLayout(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        QueueDirectory = Path.Combine(DataDirectory, "queue");
        IncomingDirectory = Path.Combine(QueueDirectory, "incoming");
        ActiveDirectory = Path.Combine(QueueDirectory, "active");
        ControlDirectory = Path.Combine(QueueDirectory, "control");
        LockPath = Path.Combine(QueueDirectory, "lock");
    }

    public string DataDirectory { get; }

    public string QueueDirectory { get; }

    /// <summary>Messages being received; never acknowledged, so whatever is here at start is discarded.</summary>
    public string IncomingDirectory { get; }

    /// <summary>Committed messages: every file here was acknowledged with 250 (or is being).</summary>
    public string ActiveDirectory { get; }

    /// <summary>Operator requests for the running daemon (flush, hold, release, delete).</summary>
    public string ControlDirectory { get; }

    /// <summary>The lock file the daemon holds exclusively while it runs.</summary>
    public string LockPath { get; }

    public string StatePath(string queueId) => Path.Combine(ActiveDirectory, queueId + StateExtension);

    public string IncomingPath(string queueId) => Path.Combine(IncomingDirectory, queueId + MessageExtension);

    public string ActivePath(string queueId) => Path.Combine(ActiveDirectory, queueId + MessageExtension);
}
