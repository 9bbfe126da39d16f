using System.Globalization;

namespace MailRelay.Events;

/// <summary>Opening the outbox: reading back its segments and cursors after a stop or a crash.</summary>
internal sealed partial class EventOutbox
{
    /// <summary>
    /// Reads the segments and cursors, cuts what a crash left after the last whole event of the last segment (a torn
    /// line), and opens that segment for appending. Called once the queue lock is held; later calls do nothing.
    /// </summary>
    /// <exception cref="IOException">The outbox cannot be read or repaired: a startup error.</exception>
    public void Open()
    {
        lock (_lock)
        {
            if (_opened)
            {
                return;
            }

            var dataDirectory = Path.GetDirectoryName(_directory)!;
            var created = !System.IO.Directory.Exists(_directory);
            var cursorsCreated = !System.IO.Directory.Exists(_cursorDirectory);
            System.IO.Directory.CreateDirectory(_cursorDirectory);
            if (created)
            {
                _disk.SyncDirectory(dataDirectory);
            }

            if (cursorsCreated)
            {
                _disk.SyncDirectory(_directory);
            }

            var found = System.IO.Directory.EnumerateFiles(_directory, SegmentPrefix + "*" + SegmentExtension)
                .Select(p => (Path: p, First: FirstOf(p)))
                .Where(s => s.First > 0)
                .OrderBy(s => s.First)
                .ToList();
            long last = 0;
            long cut = 0;
            for (var i = 0; i < found.Count; i++)
            {
                var segment = new Segment(found[i].First, found[i].Path);
                var isLast = i == found.Count - 1;
                var (lastSequence, goodLength, length) = Scan(segment.Path);
                last = Math.Max(last, lastSequence);
                if (isLast)
                {
                    _file = _disk.Open(segment.Path, WriteOptions(FileMode.OpenOrCreate));
                    if (length > goodLength)
                    {
                        // A torn line (or what a crash left past the last fsync'd event): never part of the log.
                        _disk.Truncate(_file, goodLength);
                        _disk.SyncFile(_file);
                        cut = length - goodLength;
                    }

                    _fileLength = goodLength;
                    segment.Bytes = goodLength;
                }
                else
                {
                    segment.Bytes = length;
                }

                _segments.Add(segment);
            }

            LoadCursors();
            _next = Math.Max(last + 1, found.Count > 0 ? found[^1].First : 1);
            _next = Math.Max(_next, _saved.Values.DefaultIfEmpty(0).Max());
            if (_file is null)
            {
                _file = CreateSegment(_next);
                _segments.Add(new Segment(_next, SegmentPath(_next)));
            }

            _durable = _next;
            _opened = true;
            EventLog.Opened(_logger, _directory, _segments.Count, _next, cut);
        }
    }

    /// <summary>The first sequence number a segment's name promises; 0 when the name is not a segment's.</summary>
    private static long FirstOf(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return long.TryParse(name.AsSpan(SegmentPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : 0;
    }

    /// <summary>The last event's sequence number, the length up to the end of its line, and the file's length.</summary>
    private (long LastSequence, long GoodLength, long Length) Scan(string path)
    {
        long last = 0;
        long good = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var reader = new SegmentLineReader(file, 0);
        while (reader.Next() is { } line)
        {
            if (RelayEventJson.Parse(line.Bytes.Span) is { } parsed)
            {
                last = Math.Max(last, parsed.Sequence);
                good = line.End;
            }
            else
            {
                EventLog.SkippedLine(_logger, path, line.End - line.Bytes.Length - 1);
            }
        }

        return (last, good, file.Length);
    }
}
