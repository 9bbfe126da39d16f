using System.Buffers;
using MailRelay.Queue;

namespace MailRelay.Events;

/// <summary>
/// The durable event outbox in DATA_DIR/events (docs/events.md): append-only segment files of JSON lines, each
/// event numbered. An append writes its lines at once, side by side with other appenders, and completes when an
/// fsync that began after its write has finished: one fsync runs at a time and covers every append written before
/// it began (group commit, as <see cref="GroupCommitter"/> does for new mail). Every file operation goes through
/// <see cref="IDiskSync"/>.
/// </summary>
/// <remarks>
/// A write that fails (a full disk) is cut off again, so the segment keeps whole lines only; when even the cut
/// fails the next append cuts first, and fails while it cannot. An fsync that fails fails the appends it covered;
/// their lines stay in the file, so they may still be read (after a later fsync or a restart) and be told twice,
/// which the at-least-once contract allows: the caller retries them with the same ids.
/// </remarks>
internal sealed partial class EventOutbox : IEventOutbox, IEventOutboxReader, IAsyncDisposable
{
    public const string DirectoryName = "events";
    public const long DefaultMaxSegmentBytes = 8 * 1024 * 1024;
    private const string SegmentPrefix = "segment-";
    private const string SegmentExtension = ".jsonl";

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly long _maxSegmentBytes;
    private readonly IDiskSync _disk;
    private readonly ILogger _logger;
    private readonly EventMetrics? _metrics;
    private readonly Func<IEnumerable<IRelayEventListener>> _listenerSource;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Segment> _segments = [];
    private IRelayEventListener[]? _listeners;
    private FileStream? _file;
    private long _fileLength;
    private bool _cutPending;
    private long _next = 1;
    private long _durable = 1;
    private List<PendingAppend> _waiting = [];
    private List<FileStream> _retired = [];
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _syncRunning;
    private bool _opened;
    private bool _closed;

    /// <param name="dataDirectory">DATA_DIR; the outbox lives in its <c>events</c> folder.</param>
    /// <param name="listeners">Read once, at the first append that is made durable.</param>
    public EventOutbox(
        string dataDirectory,
        IDiskSync disk,
        ILogger logger,
        EventMetrics? metrics = null,
        Func<IEnumerable<IRelayEventListener>>? listeners = null,
        long maxSegmentBytes = DefaultMaxSegmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegmentBytes, 1);
        _directory = Path.Combine(Path.GetFullPath(dataDirectory), DirectoryName);
        _cursorDirectory = Path.Combine(_directory, CursorDirectoryName);
        _disk = disk;
        _logger = logger;
        _metrics = metrics;
        _listenerSource = listeners ?? (() => []);
        _maxSegmentBytes = maxSegmentBytes;
        metrics?.MeasureWith(Measure);
    }

    public string Directory => _directory;

    public long NextSequence
    {
        get
        {
            lock (_lock)
            {
                return _durable;
            }
        }
    }

    public async ValueTask AppendAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        PendingAppend pending;
        try
        {
            pending = Write(events);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            EventLog.AppendFailed(_logger, events.Count, ex);
            _metrics?.AppendFailed();
            throw;
        }

        // Not cancelled: once written, the caller must learn whether the events are durable.
        await pending.Completion.Task.ConfigureAwait(false);
    }

    public Task WaitBeyondAsync(long sequence, CancellationToken cancellationToken)
    {
        Task advanced;
        lock (_lock)
        {
            if (_durable > sequence)
            {
                return Task.CompletedTask;
            }

            if (_closed)
            {
                return Task.FromCanceled(new CancellationToken(canceled: true));
            }

            advanced = _advanced.Task;
        }

        return WaitAsync(advanced, sequence, cancellationToken);
    }

    /// <summary>Finishes the fsyncs owed to appends already written, then closes the segment.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _closed = true;
            SignalIfDrained();
            _advanced.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
        lock (_lock)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private async Task WaitAsync(Task advanced, long sequence, CancellationToken cancellationToken)
    {
        await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        await WaitBeyondAsync(sequence, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the events' lines at the end of the current segment and queues them for the next fsync.</summary>
    private PendingAppend Write(IReadOnlyList<RelayEvent> events)
    {
        lock (_lock)
        {
            if (!_opened || _closed)
            {
                throw new IOException("The event outbox is not open.");
            }

            if (_cutPending)
            {
                _disk.Truncate(_file!, _fileLength);
                _cutPending = false;
            }

            if (_fileLength >= _maxSegmentBytes)
            {
                Roll();
            }

            var first = _next;
            var buffer = new ArrayBufferWriter<byte>(512 * events.Count);
            for (var i = 0; i < events.Count; i++)
            {
                buffer.Write(RelayEventJson.Serialize(events[i], first + i));
                buffer.Write("\n"u8);
            }

            try
            {
                _file!.Position = _fileLength;
                _disk.Write(_file, buffer.WrittenSpan);
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                // Part of the lines may be in the file: cut them off, or have the next append do it.
                try
                {
                    _disk.Truncate(_file!, _fileLength);
                }
                catch (Exception cut) when (SpoolFiles.IsIoFailure(cut))
                {
                    _cutPending = true;
                }

                throw;
            }

            _fileLength += buffer.WrittenCount;
            _segments[^1].Bytes = _fileLength;
            _next += events.Count;
            var pending = new PendingAppend(events, first);
            _waiting.Add(pending);
            if (!_syncRunning)
            {
                _syncRunning = true;
                _ = Task.Run(SyncWhileWaitedFor);
            }

            return pending;
        }
    }

    /// <summary>
    /// Starts a new segment named by the next sequence number; the full one is fsync'd by the next sync and closed.
    /// The new name is made durable at once (a directory fsync), before any event in it can count. Under the lock.
    /// </summary>
    private void Roll()
    {
        var file = CreateSegment(_next);
        _retired.Add(_file!);
        _file = file;
        _fileLength = 0;
        _segments.Add(new Segment(_next, SegmentPath(_next)));
        DeleteConsumedSegments();
    }

    private FileStream CreateSegment(long first)
    {
        var file = _disk.Open(SegmentPath(first), WriteOptions(FileMode.CreateNew));
        try
        {
            _disk.SyncDirectory(_directory);
        }
        catch
        {
            file.Dispose();
            _disk.Delete(SegmentPath(first));
            throw;
        }

        return file;
    }

    /// <summary>Runs fsyncs back to back for as long as written appends wait for one, then ends.</summary>
    private void SyncWhileWaitedFor()
    {
        while (true)
        {
            List<PendingAppend> batch;
            List<FileStream> files;
            List<FileStream> retired;
            long through;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _syncRunning = false;
                    SignalIfDrained();
                    return;
                }

                batch = _waiting;
                _waiting = [];
                retired = _retired;
                _retired = [];
                files = [.. retired, _file!];
                through = _next;
            }

            Exception? failure = null;
            try
            {
                foreach (var file in files)
                {
                    _disk.SyncFile(file);
                }
            }
#pragma warning disable CA1031 // Handed to every append of the batch: none of them is known durable.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }

            foreach (var file in retired)
            {
                file.Dispose();
            }

            if (failure is not null)
            {
                var count = batch.Sum(p => p.Events.Count);
                EventLog.AppendFailed(_logger, count, failure);
                foreach (var pending in batch)
                {
                    _metrics?.AppendFailed();
                    pending.Completion.TrySetException(failure is IOException ? failure : new IOException("fsync of the event outbox failed.", failure));
                }

                continue;
            }

            TaskCompletionSource advanced;
            lock (_lock)
            {
                _durable = Math.Max(_durable, through);
                advanced = _advanced;
                _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            advanced.TrySetResult();
            foreach (var pending in batch)
            {
                foreach (var e in pending.Events)
                {
                    _metrics?.Appended(e.Type);
                }

                Tell(pending.Events);
                pending.Completion.TrySetResult();
            }
        }
    }

    private void Tell(IReadOnlyList<RelayEvent> events)
    {
        _listeners ??= [.. _listenerSource()];
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnEvents(events);
            }
#pragma warning disable CA1031 // A listener's fault must not fail the append or the ones after it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                EventLog.ListenerFailed(_logger, ex);
            }
        }
    }

    /// <summary>Completes disposal once closed with no append waiting for its fsync. Under the lock.</summary>
    private void SignalIfDrained()
    {
        if (_closed && !_syncRunning)
        {
            _drained.TrySetResult();
        }
    }

    private (long Bytes, int Segments) Measure()
    {
        lock (_lock)
        {
            return (_segments.Sum(s => s.Bytes), _segments.Count);
        }
    }

    private string SegmentPath(long first) => Path.Combine(_directory, $"{SegmentPrefix}{first:D19}{SegmentExtension}");

    private static FileStreamOptions WriteOptions(FileMode mode)
    {
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        return options;
    }

    private sealed class PendingAppend(IReadOnlyList<RelayEvent> events, long first)
    {
        public IReadOnlyList<RelayEvent> Events { get; } = events;

        public long First { get; } = first;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Segment(long first, string path)
    {
        public long First { get; } = first;

        public string Path { get; } = path;

        public long Bytes { get; set; }
    }
}
