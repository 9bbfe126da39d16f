namespace MailRelay.Tests.Integration;

/// <summary>A fresh data directory per test, removed afterwards.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailrelay-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ActiveQueue => System.IO.Path.Combine(Path, "queue", "active");

    /// <summary>
    /// Every queued message as a queue file holds it (envelope header line, LF, message), whether it has a file of its
    /// own or is a record of a segment file.
    /// </summary>
    public QueuedMessage[] QueuedMessages()
    {
        var files = Directory.Exists(ActiveQueue) ? Directory.GetFiles(ActiveQueue, "*.msg") : [];
        var layout = new MailRelay.Queue.SpoolLayout(Path);
        var messages = files.Select(f => new QueuedMessage(System.IO.Path.GetFileNameWithoutExtension(f), File.ReadAllBytes(f))).ToList();
        foreach (var (queueId, location) in MailRelay.Queue.Segments.SegmentScan.Read(layout).Live)
        {
            using var segment = File.OpenHandle(layout.SegmentPath(location.Sequence));
            var body = new byte[location.BodyLength];
            RandomAccess.Read(segment, body, location.BodyOffset);
            messages.Add(new QueuedMessage(queueId, body));
        }

        return [.. messages];
    }

    /// <summary>
    /// One path per queued message: its queue file, or the segment file that holds it (named once per message in it).
    /// </summary>
    public string[] QueuedFiles()
    {
        var files = Directory.Exists(ActiveQueue) ? Directory.GetFiles(ActiveQueue, "*.msg") : [];
        var layout = new MailRelay.Queue.SpoolLayout(Path);
        var inSegments = MailRelay.Queue.Segments.SegmentScan.Read(layout).Live.Values.Select(l => layout.SegmentPath(l.Sequence));
        return [.. files, .. inSegments];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>A queued message: its id and the bytes a queue file of it holds.</summary>
internal sealed record QueuedMessage(string QueueId, byte[] Bytes)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes);
}
