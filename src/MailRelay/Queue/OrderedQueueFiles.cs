using MailRelay.Queue.Segments;

namespace MailRelay.Queue;

/// <summary>
/// The names found in the committed area and the messages live in segment files, handed out smallest (oldest queue id)
/// first as one sequence. A binary heap rather than a sorted list: building it is linear, so the first name is ready as
/// soon as the directory has been listed, and each later one costs a logarithmic step taken while the previous message
/// is read and printed. A segment message is keyed by the name its queue file would have, so both kinds interleave.
/// </summary>
internal sealed class OrderedQueueFiles
{
    private readonly string _directory;
    private readonly PriorityQueue<(string Name, SegmentLocation? Segment), string> _names;

    /// <param name="segmentMessages">
    /// Live segment messages: a queue file of the same id is not listed (a copy forward that raced the listing); its
    /// message is handed out once, from the segment.
    /// </param>
    public OrderedQueueFiles(string directory, IEnumerable<string> names, Dictionary<string, SegmentLocation>? segmentMessages = null)
    {
        _directory = directory;
        var files = names.Select(n => ((n, (SegmentLocation?)null), n));
        var segments = Enumerable.Empty<((string, SegmentLocation?), string)>();
        if (segmentMessages is { Count: > 0 })
        {
            // Looked up by span: no string is made per name of a long queue.
            var live = segmentMessages.GetAlternateLookup<ReadOnlySpan<char>>();
            files = files.Where(f => !live.ContainsKey(QueueIdOf(f.Item2)));
            segments = segmentMessages.Select(m =>
            {
                var name = m.Key + SpoolLayout.MessageExtension;
                return ((name, (SegmentLocation?)m.Value), name);
            });
        }

        _names = new PriorityQueue<(string, SegmentLocation?), string>(files.Concat(segments), StringComparer.Ordinal);
        MessageCount = _names.UnorderedItems.Count(i => i.Element.Name.EndsWith(SpoolLayout.MessageExtension, StringComparison.Ordinal));
    }

    /// <summary>The queue files (<c>*.msg</c>, readable or not) and segment messages among the names.</summary>
    public int MessageCount { get; }

    /// <summary>
    /// The full paths, oldest first; each is handed out once. A segment message's path is the queue file it would be
    /// copied forward into, with its location in the segment beside it.
    /// </summary>
    public IEnumerable<(string Path, SegmentLocation? Segment)> Items()
    {
        while (_names.TryDequeue(out var item, out _))
        {
            yield return (Path.Combine(_directory, item.Name), item.Segment);
        }
    }

    /// <summary>The full paths of <see cref="Items"/>.</summary>
    public IEnumerable<string> Paths() => Items().Select(i => i.Path);

    private static ReadOnlySpan<char> QueueIdOf(string name) =>
        name.EndsWith(SpoolLayout.MessageExtension, StringComparison.Ordinal) ? name.AsSpan(0, name.Length - SpoolLayout.MessageExtension.Length) : name;
}
