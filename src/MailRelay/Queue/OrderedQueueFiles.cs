namespace MailRelay.Queue;

/// <summary>
/// The names found in the committed area, handed out smallest (oldest queue id) first. A binary heap rather than a
/// sorted list: building it is linear, so the first name is ready as soon as the directory has been listed, and each
/// later one costs a logarithmic step taken while the previous file is read and printed.
/// </summary>
internal sealed class OrderedQueueFiles
{
    private readonly string _directory;
    private readonly PriorityQueue<string, string> _names;

    public OrderedQueueFiles(string directory, IEnumerable<string> names)
    {
        _directory = directory;
        _names = new PriorityQueue<string, string>(names.Select(n => (n, n)), StringComparer.Ordinal);
        MessageCount = _names.UnorderedItems.Count(i => i.Element.EndsWith(SpoolLayout.MessageExtension, StringComparison.Ordinal));
    }

    /// <summary>The queue files (<c>*.msg</c>) among the names, readable or not.</summary>
    public int MessageCount { get; }

    /// <summary>The full paths, oldest first; each is handed out once.</summary>
    public IEnumerable<string> Paths()
    {
        while (_names.TryDequeue(out var name, out _))
        {
            yield return Path.Combine(_directory, name);
        }
    }
}
