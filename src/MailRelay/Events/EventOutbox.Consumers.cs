using System.Globalization;
using MailRelay.Queue;

namespace MailRelay.Events;

/// <summary>
/// The reading side: events by sequence number, consumers' durable cursors, and the deletion of segments every
/// registered consumer is past.
/// </summary>
/// <remarks>
/// A cursor is an empty file <c>cursors/&lt;consumer&gt;.&lt;next sequence&gt;</c>: created, made durable by a
/// directory fsync, and only then the older one removed, so a crash leaves the old cursor or the new one (the highest
/// wins at start). Which consumers count is settled when the host has started (<see cref="ConsumersSettled"/>):
/// until then nothing is deleted; after, segments go once every consumer registered in this run is past them, and
/// with none registered as soon as they are full, so the outbox never grows beyond one segment unread. A consumer
/// that stopped being configured is no longer waited for; its cursor stays, for the day it comes back.
/// </remarks>
internal sealed partial class EventOutbox
{
    private const string CursorDirectoryName = "cursors";
    private readonly string _cursorDirectory;
    private readonly Lock _cursorLock = new();
    private readonly Dictionary<string, long> _saved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);
    private (string Path, long Sequence, long Offset) _readHint;
    private bool _settled;

    /// <summary>Consumers registered so far.</summary>
    public IReadOnlyCollection<string> Consumers
    {
        get
        {
            lock (_lock)
            {
                return [.. _registered];
            }
        }
    }

    public IReadOnlyList<OutboxRecord> Read(long from, int max)
    {
        Open();
        List<Segment> segments;
        long durable;
        (string Path, long Sequence, long Offset) hint;
        lock (_lock)
        {
            durable = _durable;
            segments = [.. _segments];
            hint = _readHint;
        }

        var records = new List<OutboxRecord>();
        if (max <= 0 || from >= durable || segments.Count == 0)
        {
            return records;
        }

        var start = Math.Max(0, segments.FindLastIndex(s => s.First <= from));
        (string Path, long Sequence, long Offset)? next = null;
        for (var i = start; i < segments.Count && records.Count < max && segments[i].First < durable; i++)
        {
            var path = segments[i].Path;
            var offset = hint.Path == path && hint.Sequence == from ? hint.Offset : 0;
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                // Deleted meanwhile: every consumer was past it.
                continue;
            }

            using (file)
            {
                var reader = new SegmentLineReader(file, offset);
                while (records.Count < max && reader.Next() is { } line)
                {
                    if (RelayEventJson.Parse(line.Bytes.Span) is not (var sequence, var relayEvent) || sequence < from)
                    {
                        continue;
                    }

                    if (sequence >= durable)
                    {
                        break;
                    }

                    records.Add(new OutboxRecord(sequence, relayEvent.Id, relayEvent.Type, relayEvent.QueueId, relayEvent.Time, line.Bytes.ToArray()));
                    next = (path, sequence + 1, line.End);
                }
            }
        }

        if (next is { } hint2)
        {
            lock (_lock)
            {
                _readHint = hint2;
            }
        }

        return records;
    }

    public long Register(string consumer)
    {
        var name = CursorName(consumer);
        Open();
        lock (_lock)
        {
            _registered.Add(name);
            return CursorOf(name);
        }
    }

    public void Acknowledge(string consumer, long sequence)
    {
        var name = CursorName(consumer);
        Open();
        lock (_cursorLock)
        {
            long previous;
            lock (_lock)
            {
                previous = _saved.GetValueOrDefault(name);
                sequence = Math.Min(sequence, _durable);
                if (sequence <= previous)
                {
                    return;
                }
            }

            var path = CursorPath(name, sequence);
            _disk.Open(path, WriteOptions(FileMode.Create)).Dispose();
            _disk.SyncDirectory(_cursorDirectory);
            if (previous > 0)
            {
                _disk.Delete(CursorPath(name, previous));
            }

            lock (_lock)
            {
                _saved[name] = sequence;
                DeleteConsumedSegments();
            }
        }
    }

    /// <summary>
    /// The host has started: every consumer that will run has registered. From now on segments every registered
    /// consumer is past are deleted (all full ones when there is none).
    /// </summary>
    public void ConsumersSettled()
    {
        Open();
        lock (_lock)
        {
            _settled = true;
            if (_registered.Count == 0)
            {
                EventLog.NoConsumer(_logger);
            }

            DeleteConsumedSegments();
        }
    }

    /// <summary>Where a registered consumer starts: its saved cursor, never before the first retained event. Under the lock.</summary>
    private long CursorOf(string name) => Math.Max(_saved.GetValueOrDefault(name), FirstRetained());

    private long FirstRetained() => _segments.Count > 0 ? _segments[0].First : _next;

    /// <summary>Deletes the full segments below every registered consumer's cursor. Under the lock.</summary>
    private void DeleteConsumedSegments()
    {
        if (!_settled)
        {
            return;
        }

        var floor = _registered.Count == 0 ? _next : _registered.Min(CursorOf);
        while (_segments.Count > 1 && _segments[1].First <= floor)
        {
            try
            {
                _disk.Delete(_segments[0].Path);
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                EventLog.DeleteFailed(_logger, _segments[0].Path, ex);
                return;
            }

            _segments.RemoveAt(0);
        }
    }

    private void LoadCursors()
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(_cursorDirectory))
        {
            var file = Path.GetFileName(path);
            var dot = file.LastIndexOf('.');
            if (dot <= 0 || !long.TryParse(file.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                continue;
            }

            var name = file[..dot];
            if (_saved.TryGetValue(name, out var other))
            {
                // A crash between the new cursor and the removal of the old one: the higher is the later.
                _disk.Delete(CursorPath(name, Math.Min(other, sequence)));
                sequence = Math.Max(other, sequence);
            }

            _saved[name] = sequence;
        }
    }

    private string CursorPath(string name, long sequence) =>
        Path.Combine(_cursorDirectory, string.Create(CultureInfo.InvariantCulture, $"{name}.{sequence:D19}"));

    /// <summary>A consumer's name as a file name: URL-escaped, so any stable name works.</summary>
    private static string CursorName(string consumer)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        return Uri.EscapeDataString(consumer);
    }
}
