namespace MailRelay.Queue;

/// <summary>Where the spool keeps its files under the data directory.</summary>
internal sealed class SpoolLayout
{
    /// <summary>The suffix of a queue file (envelope header + message).</summary>
    public const string MessageExtension = ".msg";

    public SpoolLayout(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        QueueDirectory = Path.Combine(DataDirectory, "queue");
        IncomingDirectory = Path.Combine(QueueDirectory, "incoming");
        ActiveDirectory = Path.Combine(QueueDirectory, "active");
    }

    public string DataDirectory { get; }

    public string QueueDirectory { get; }

    /// <summary>Messages being received; never acknowledged, so whatever is here at start is discarded.</summary>
    public string IncomingDirectory { get; }

    /// <summary>Committed messages: every file here was acknowledged with 250 (or is being).</summary>
    public string ActiveDirectory { get; }

    public string IncomingPath(string queueId) => Path.Combine(IncomingDirectory, queueId + MessageExtension);

    public string ActivePath(string queueId) => Path.Combine(ActiveDirectory, queueId + MessageExtension);
}
