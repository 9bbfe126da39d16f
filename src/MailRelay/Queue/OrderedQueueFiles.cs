using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MailRelay.Queue.Segments;

namespace MailRelay.Queue;

/// <summary>
/// The names found in the committed area and the messages live in segment files, handed out smallest (oldest queue id)
/// first as one sequence. A binary heap of the names rather than a sorted list: building it is linear, so the first name
/// is ready as soon as the directory has been listed, and each later one costs a logarithmic step taken while the
/// previous message is read and printed. A segment message is keyed by the name its queue file would have, so both kinds
/// interleave.
/// </summary>
/// <remarks>
/// The heap holds only the names (one reference each, in the list the listing filled): a queue of 500,000 messages is
/// listed in a directory of a million entries, and the time to the first line is that listing plus this heap's
/// building, so neither copies nor counts the names again.
/// </remarks>
internal sealed class OrderedQueueFiles
{
    private readonly string _directory;
    private readonly Dictionary<string, SegmentLocation>? _segmentMessages;
    private readonly List<string> _names;
    private int _count;

    /// <param name="segmentMessages">
    /// Live segment messages: a queue file of the same id is not listed (a copy forward that raced the listing); its
    /// message is handed out once, from the segment.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public OrderedQueueFiles(string directory, IEnumerable<string> names, Dictionary<string, SegmentLocation>? segmentMessages = null)
    {
        _directory = directory;
        _segmentMessages = segmentMessages is { Count: > 0 } ? segmentMessages : null;
        _names = [];
        var messages = 0;
        if (_segmentMessages is null)
        {
            foreach (var name in names)
            {
                _names.Add(name);
                messages += IsMessage(name) ? 1 : 0;
            }
        }
        else
        {
            // Looked up by span: no string is made per name of a long queue.
            var live = _segmentMessages.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var name in names)
            {
                if (!live.ContainsKey(QueueIdOf(name)))
                {
                    _names.Add(name);
                    messages += IsMessage(name) ? 1 : 0;
                }
            }

            foreach (var queueId in _segmentMessages.Keys)
            {
                _names.Add(queueId + SpoolLayout.MessageExtension);
                messages++;
            }
        }

        MessageCount = messages;
        _count = _names.Count;
        var heap = CollectionsMarshal.AsSpan(_names);
        for (var parent = (_count / 2) - 1; parent >= 0; parent--)
        {
            SiftDown(heap, parent, _count);
        }
    }

    /// <summary>The queue files (<c>*.msg</c>, readable or not) and segment messages among the names.</summary>
    public int MessageCount { get; }

    /// <summary>
    /// The full paths, oldest first; each is handed out once. A segment message's path is the queue file it would be
    /// copied forward into, with its location in the segment beside it.
    /// </summary>
    public IEnumerable<(string Path, SegmentLocation? Segment)> Items()
    {
        while (TryTakeSmallest(out var name))
        {
            SegmentLocation? segment = _segmentMessages is { } live && IsMessage(name)
                && live.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(QueueIdOf(name), out var location)
                ? location
                : null;
            yield return (Path.Combine(_directory, name), segment);
        }
    }

    /// <summary>The full paths of <see cref="Items"/>.</summary>
    public IEnumerable<string> Paths() => Items().Select(i => i.Path);

    private bool TryTakeSmallest(out string name)
    {
        if (_count == 0)
        {
            name = string.Empty;
            return false;
        }

        var heap = CollectionsMarshal.AsSpan(_names);
        name = heap[0];
        _count--;
        heap[0] = heap[_count];
        heap[_count] = string.Empty;
        SiftDown(heap, 0, _count);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SiftDown(Span<string> heap, int index, int count)
    {
        var item = heap[index];
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && string.CompareOrdinal(heap[child + 1], heap[child]) < 0)
            {
                child++;
            }

            if (string.CompareOrdinal(heap[child], item) >= 0)
            {
                break;
            }

            heap[index] = heap[child];
            index = child;
        }

        heap[index] = item;
    }

    private static bool IsMessage(string name) => name.EndsWith(SpoolLayout.MessageExtension, StringComparison.Ordinal);

    private static ReadOnlySpan<char> QueueIdOf(string name) =>
        IsMessage(name) ? name.AsSpan(0, name.Length - SpoolLayout.MessageExtension.Length) : name;
}
