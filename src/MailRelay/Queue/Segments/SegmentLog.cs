using System.Buffers;
using System.Text;

namespace MailRelay.Queue.Segments;

/// <summary>
/// The segment files the spool appends small messages and removals to (docs/queue-format.md, "Segment files").
/// Many sessions append side by side: each reserves its place at the tail under a lock and writes its whole record
/// with one pwrite; one fdatasync at a time then covers every record written before it began, and a record is
/// acknowledged only when everything before it in its segment is written too, so a reader that stops at the first
/// record that does not check never misses an acknowledged one. Segments are zero-filled when prepared, so the
/// fdatasync of a record changes no metadata.
/// </summary>
/// <remarks>
/// A segment is deleted when none of its messages is live, it is not the tail, and every older segment is gone (a
/// removal record may name a message of an older segment, so a newer segment never goes first). A message that stays
/// (deferred, held, waiting for its first attempt behind pacing) is copied forward into a queue file of its own once
/// its segment has been sealed for <see cref="SegmentOptions.RetireAfter"/>, or when more than
/// <see cref="SegmentOptions.MaxSegments"/> segments exist; the copy is durable (file and directory fsync) before the
/// segment may go, and from then on the message is an ordinary queue file.
/// Lock order: this log's lock is taken alone; nothing is called out of it under the lock.
/// </remarks>
internal sealed class SegmentLog : IAsyncDisposable
{
    private const int ZeroChunk = 1024 * 1024;

    /// <summary>Segments' worth of free space below which none is prepared (messages then get queue files of their own).</summary>
    private const int MinimumFreeSegments = 4;

    /// <summary>Messages copied forward side by side.</summary>
    private const int CopyParallelism = 8;

    /// <summary>How long after a segment could not be prepared (a full disk) messages go to queue files of their own.</summary>
    private static readonly TimeSpan PrepareRetryDelay = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly SpoolLayout _layout;
    private readonly IDiskSync _disk;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SpoolStatistics _statistics;
    private readonly SegmentOptions _options;
    private readonly Action<QueueEntry>? _committed;
    private readonly SortedDictionary<long, Segment> _segments = [];
    private readonly Dictionary<string, LiveMessage> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Segment> _copied = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Segment? _tail;
    private Task<Segment>? _spare;
    private long _nextSequence;
    private long _firstOwnSequence;
    private bool _syncRunning;
    private bool _retiring;
    private bool _started;
    private bool _closed;
    private ITimer? _retireTimer;
    private long _copiedForward;
    private Task _retireRun = Task.CompletedTask;
    private DateTimeOffset _retryPreparingAt;

    public SegmentLog(
        SpoolLayout layout,
        IDiskSync disk,
        TimeProvider time,
        ILogger logger,
        SpoolStatistics statistics,
        SegmentOptions options,
        Action<QueueEntry>? committed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SegmentSize, SegmentRecord.HeaderLength + SegmentOptions.LargestRecord);
        _layout = layout;
        _disk = disk;
        _time = time;
        _logger = logger;
        _statistics = statistics;
        _options = options;
        _committed = committed;
    }

    /// <summary>Segment files this log holds, the tail included (for metrics: each is <see cref="SegmentOptions.SegmentSize"/> on disk).</summary>
    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>Messages copied forward into queue files of their own, since start.</summary>
    public long CopiedForward => Interlocked.Read(ref _copiedForward);

    /// <summary>
    /// Starts preparing the first segment, in the segments directory the spool created with its others. Reads no
    /// segment and removes nothing: the segments already on disk are taken over by <see cref="Recover"/>, under the
    /// queue lock.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be listed.</exception>
    public void Start()
    {
        var highest = Directory.EnumerateFiles(_layout.SegmentsDirectory)
            .Select(path => SpoolLayout.SegmentSequence(Path.ChangeExtension(path, SpoolLayout.SegmentExtension)))
            .Max() ?? 0;
        lock (_lock)
        {
            _nextSequence = _firstOwnSequence = highest + 1;
            _started = true;
            PrepareSpareLocked();
        }

        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, _options.RetireAfter.Ticks / 4));
        _retireTimer = _time.CreateTimer(_ => RetireDueAsync(), null, period, period);
    }

    /// <summary>
    /// Takes over the segments a previous run left (every segment this log did not write): their live messages become
    /// this log's, segments with none left are deleted oldest first, and unfinished preparations are removed. Call once,
    /// holding the queue lock (no other process writes segments then).
    /// </summary>
    /// <returns>
    /// Every live message's entry (taken over, or committed by this log already), read one at a time as they are
    /// enumerated.
    /// </returns>
    public IEnumerable<QueueEntry> Recover(Action<UnreadableQueueFile> unreadable)
    {
        var recovered = TakeOver(unreadable);
        return ReadEntries(recovered, unreadable);
    }

    private List<(string QueueId, SegmentLocation Location)> TakeOver(Action<UnreadableQueueFile> unreadable)
    {
        foreach (var path in Directory.EnumerateFiles(_layout.SegmentsDirectory, "*" + SpoolLayout.PreparingExtension))
        {
            if (SpoolLayout.SegmentSequence(Path.ChangeExtension(path, SpoolLayout.SegmentExtension)) is { } sequence && sequence < _firstOwnSequence)
            {
                _disk.Delete(path);
            }
        }

        // Every sequence from the first this log drew is its own (its tail, its spare being prepared): never taken over.
        var scan = SegmentScan.Read(_layout, unreadable, skip: sequence => sequence >= _firstOwnSequence);
        var now = _time.GetUtcNow();
        var recovered = new List<(string QueueId, SegmentLocation Location)>();
        lock (_lock)
        {
            foreach (var sequence in scan.Sequences)
            {
                var segment = new Segment(sequence, _layout.SegmentPath(sequence), file: null, size: 0, now)
                {
                    Sealed = now,
                    Pinned = scan.Pinned.Contains(sequence),
                };
                _segments.TryAdd(sequence, segment);
            }

            foreach (var (queueId, location) in scan.Live)
            {
                if (_segments.TryGetValue(location.Sequence, out var segment) && _live.TryAdd(queueId, new LiveMessage(segment, location)))
                {
                    segment.Live++;
                    recovered.Add((queueId, location));
                }
            }

            foreach (var (queueId, sequence) in scan.Copied)
            {
                if (_segments.TryGetValue(sequence, out var segment) && _copied.TryAdd(queueId, segment))
                {
                    segment.CopiedIds.Add(queueId);
                }
            }
        }

        RemoveLeftoverCopies(scan.Removed);

        DeleteFinishedSegments();

        // With the messages this log committed before the queue manager was listening: admitting one twice is harmless.
        lock (_lock)
        {
            recovered = [.. _live.Select(l => (l.Key, l.Value.Location))];
        }

        recovered.Sort((a, b) => string.CompareOrdinal(a.QueueId, b.QueueId));
        return recovered;
    }

    private IEnumerable<QueueEntry> ReadEntries(List<(string QueueId, SegmentLocation Location)> recovered, Action<UnreadableQueueFile> unreadable)
    {
        foreach (var (queueId, location) in recovered)
        {
            QueueEntry? entry = null;
            try
            {
                entry = SegmentScan.ReadEntry(_layout, location);
            }
            catch (QueueFormatException ex)
            {
                unreadable(new UnreadableQueueFile(queueId, ex.Message));
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                unreadable(new UnreadableQueueFile(queueId, $"cannot read: {ex.Message}"));
            }

            if (entry is not null)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Whether <paramref name="queueId"/> is a live message of a segment (not copied forward).</summary>
    public bool Contains(string queueId)
    {
        lock (_lock)
        {
            return _live.ContainsKey(queueId);
        }
    }

    /// <summary>The entry of a live segment message read from its segment; null when it is not one (any more).</summary>
    /// <exception cref="QueueFormatException">Its record no longer reads as a message.</exception>
    public QueueEntry? TryReadEntry(string queueId)
    {
        SegmentLocation location;
        lock (_lock)
        {
            if (!_live.TryGetValue(queueId, out var message))
            {
                return null;
            }

            location = message.Location;
        }

        return SegmentScan.ReadEntry(_layout, location);
    }

    /// <summary>
    /// Appends a message record and completes when it is durable; the message is then live and announced to the
    /// committed callback (after the writer has been answered).
    /// </summary>
    /// <param name="record">The record: <see cref="SegmentRecord.HeaderLength"/> bytes for the header, filled here, then the body.</param>
    /// <param name="length">Header and body.</param>
    /// <param name="header">The envelope whose line starts the body.</param>
    /// <param name="contentStart">Where the message bytes start in the body.</param>
    /// <exception cref="SegmentUnavailableException">No segment can be prepared now (a full disk): nothing was written.</exception>
    /// <exception cref="IOException">Not durable; nothing of it will be read back as a message.</exception>
    public async Task<QueueEntry> AppendMessageAsync(byte[] record, int length, SpoolHeader header, int contentStart)
    {
        var waiter = await AppendAsync(SegmentRecordType.Message, record, length, (location, waiter) =>
        {
            var entry = QueueEntry.Of(header, _layout.SegmentPath(location.Sequence), location.BodyOffset + contentStart, location.BodyLength - contentStart, location);
            waiter.Entry = entry;
        }).ConfigureAwait(false);
        return waiter.Entry!;
    }

    /// <summary>
    /// Removes a segment message: a removal record, durable when the task completes (the caller deletes the state log
    /// after that). Null when the message is not in a segment (it has a queue file: the caller removes that). A message
    /// being copied forward is removed once the copy is done, as the queue file it then is, by
    /// <paramref name="removeQueueFile"/>.
    /// </summary>
    public Task? TryRemove(string queueId, Func<Task> removeQueueFile)
    {
        LiveMessage? message;
        lock (_lock)
        {
            if (_copied.Remove(queueId, out var copiedFrom))
            {
                copiedFrom.CopiedIds.Remove(queueId);
                copiedFrom.Removing++;
                return RemoveCopyAsync(queueId, copiedFrom, removeQueueFile);
            }

            if (!_live.TryGetValue(queueId, out message))
            {
                return null;
            }

            if (message.Copying is { } copying)
            {
                return RemoveAfterCopyAsync(copying, queueId, removeQueueFile);
            }

            _live.Remove(queueId);
            message.Segment.Live--;
            message.Segment.Removing++;
        }

        return AppendRemovalAsync(queueId, message);
    }

    /// <summary>
    /// Copies one live segment message forward now (its first attempt was deferred: it will stay), so segments hold
    /// mainly mail not yet attempted and a backlog forms in queue files. Does nothing for a message not in a segment or
    /// being copied already; a failed copy is logged and leaves the message in its segment (retired later).
    /// </summary>
    public async Task CopyForwardAsync(string queueId)
    {
        LiveMessage? message;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closed || !_live.TryGetValue(queueId, out message) || message.Copying is not null)
            {
                return;
            }

            message.Copying = done.Task;
        }

        var copied = false;
        try
        {
            await Task.Yield();
            using var source = File.OpenHandle(message.Segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            SegmentCopy.ToQueueFile(_layout, _disk, _logger, source, queueId, message.Location);
            copied = true;
            _disk.SyncDirectory(_layout.ActiveDirectory);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolLog.CopyForwardFailed(_logger, message.Location.Sequence, ex);
            if (copied)
            {
                UndoCopies([queueId]);
                copied = false;
            }
        }

        lock (_lock)
        {
            message.Copying = null;
            if (copied && _live.Remove(queueId))
            {
                message.Segment.Live--;
                _copied[queueId] = message.Segment;
                message.Segment.CopiedIds.Add(queueId);
            }
        }

        if (copied)
        {
            Interlocked.Increment(ref _copiedForward);
        }

        done.TrySetResult();
        DeleteFinishedSegments();
    }

    /// <summary>Refuses further appends, waits for the fdatasyncs owed, stops retiring and closes the segments.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<Segment>? spare;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            spare = _spare;
            SignalIfDrainedLocked();
        }

        if (_retireTimer is not null)
        {
            await _retireTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _drained.Task.ConfigureAwait(false);
        if (spare is not null)
        {
            try
            {
                (await spare.ConfigureAwait(false)).File?.Dispose();
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                SpoolLog.SegmentFailed(_logger, ex);
            }
        }

        lock (_lock)
        {
            foreach (var segment in _segments.Values)
            {
                segment.File?.Dispose();
                segment.File = null;
            }
        }
    }

    private async Task<Waiter> AppendAsync(SegmentRecordType type, byte[] record, int length, Action<SegmentLocation, Waiter>? describe)
    {
        SegmentRecord.WriteHeader(record, type, record.AsSpan(SegmentRecord.HeaderLength, length - SegmentRecord.HeaderLength));
        var (segment, offset) = await ReserveAsync(length).ConfigureAwait(false);
        var location = new SegmentLocation(segment.Sequence, offset + SegmentRecord.HeaderLength, length - SegmentRecord.HeaderLength);
        var waiter = new Waiter(offset, offset + length, location);
        describe?.Invoke(location, waiter);
        try
        {
            _disk.WriteAt(segment.File!, record.AsSpan(0, length), offset);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            lock (_lock)
            {
                segment.Writing.Remove(offset);
                BreakLocked(segment, offset, ex);
                SignalIfDrainedLocked();
            }

            throw;
        }

        lock (_lock)
        {
            segment.Writing.Remove(offset);
            if (segment.Broken && offset >= segment.BrokenAt)
            {
                waiter.Done.TrySetException(new IOException($"Segment {segment.Sequence} failed before this record was durable."));
                SignalIfDrainedLocked();
            }
            else
            {
                segment.Waiters.Add(waiter);
                if (!_syncRunning)
                {
                    _syncRunning = true;
                    _ = Task.Run(SyncWhileWaitedFor);
                }
            }
        }

        await waiter.Done.Task.ConfigureAwait(false);
        return waiter;
    }

    /// <summary>A place of <paramref name="length"/> bytes at the tail, rolling to a new segment when it is full.</summary>
    private async Task<(Segment Segment, long Offset)> ReserveAsync(int length)
    {
        while (true)
        {
            Task<Segment> preparing;
            lock (_lock)
            {
                if (!_started || _closed)
                {
                    throw new IOException("The spool is shut down.");
                }

                if (_tail is { Broken: false } tail && tail.Reserved + length <= tail.Size)
                {
                    var offset = tail.Reserved;
                    tail.Reserved += length;
                    tail.Writing.Add(offset);
                    return (tail, offset);
                }

                var spare = PrepareSpareLocked();
                if (spare.IsFaulted)
                {
                    throw new SegmentUnavailableException(spare.Exception!.InnerException!);
                }

                if (spare.IsCompletedSuccessfully)
                {
                    SealTailLocked();
                    _spare = null;
                    _tail = spare.Result;
                    _tail.Opened = _time.GetUtcNow();
                    _segments[_tail.Sequence] = _tail;
                    PrepareSpareLocked();
                    continue;
                }

                preparing = spare;
            }

            try
            {
                await preparing.ConfigureAwait(false);
            }
            catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
            {
                throw new SegmentUnavailableException(ex);
            }
        }
    }

    /// <summary>
    /// The spare segment, being prepared or ready; starts preparing one when there is none, or when the last attempt
    /// failed more than <see cref="PrepareRetryDelay"/> ago (a faulted task until then: a disk too full for a segment
    /// is not tried for every message).
    /// </summary>
    private Task<Segment> PrepareSpareLocked()
    {
        if (_spare is null || (_spare.IsFaulted && _time.GetUtcNow() >= _retryPreparingAt))
        {
            var sequence = _nextSequence++;
            _spare = Task.Run(() => Prepare(sequence));
        }

        return _spare;
    }

    /// <summary>Creates a zero-filled segment under a temporary name, makes it durable, and opens it under its own.</summary>
    private Segment Prepare(long sequence)
    {
        var preparing = _layout.PreparingSegmentPath(sequence);
        var path = _layout.SegmentPath(sequence);
        try
        {
            // A segment is taken from the disk whole: on a disk with little room it would take what single messages need.
            var free = new DriveInfo(_layout.SegmentsDirectory).AvailableFreeSpace;
            if (free < MinimumFreeSegments * _options.SegmentSize)
            {
                throw new IOException(
                    $"only {free} bytes are free in {_layout.SegmentsDirectory}; a segment of {_options.SegmentSize} is prepared with {MinimumFreeSegments} times that free");
            }

            using (var file = _disk.Open(preparing, SpoolFiles.CreateNewOptions()))
            {
                var zeros = ArrayPool<byte>.Shared.Rent(ZeroChunk);
                try
                {
                    Array.Clear(zeros);
                    for (long written = 0; written < _options.SegmentSize; written += ZeroChunk)
                    {
                        _disk.Write(file, zeros.AsSpan(0, (int)Math.Min(ZeroChunk, _options.SegmentSize - written)));
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(zeros);
                }

                _disk.SyncFile(file);
            }

            _disk.Move(preparing, path);
            _disk.SyncDirectory(_layout.SegmentsDirectory);
            var opened = _disk.Open(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 });
            return new Segment(sequence, path, opened, _options.SegmentSize, _time.GetUtcNow());
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolLog.SegmentPrepareFailed(_logger, sequence, ex);
            SpoolFiles.TryDelete(_disk, preparing, _logger);
            lock (_lock)
            {
                _retryPreparingAt = _time.GetUtcNow() + PrepareRetryDelay;
            }

            throw;
        }
    }

    /// <summary>Runs fdatasyncs back to back for as long as written records wait for one, then ends.</summary>
    private void SyncWhileWaitedFor()
    {
        while (true)
        {
            var work = new List<(Segment Segment, List<Waiter> Ready)>();
            lock (_lock)
            {
                foreach (var segment in _segments.Values)
                {
                    if (segment.Waiters.Count == 0)
                    {
                        continue;
                    }

                    // Only what nothing unwritten precedes: a reader stops at the first hole.
                    var bound = segment.Writing.Count > 0 ? segment.Writing.Min : long.MaxValue;
                    var ready = segment.Waiters.FindAll(w => w.End <= bound);
                    if (ready.Count > 0)
                    {
                        segment.Waiters.RemoveAll(w => w.End <= bound);
                        segment.Syncing++;
                        work.Add((segment, ready));
                    }
                }

                if (work.Count == 0)
                {
                    _syncRunning = false;
                    SignalIfDrainedLocked();
                    return;
                }
            }

            foreach (var (segment, ready) in work)
            {
                Sync(segment, ready);
            }
        }
    }

    private void Sync(Segment segment, List<Waiter> ready)
    {
        try
        {
            _statistics.AddBatch();
            _disk.SyncData(segment.File!);
        }
#pragma warning disable CA1031 // Handed to every waiting writer: none of these records is known durable.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_lock)
            {
                segment.Syncing--;
                BreakLocked(segment, ready.Min(w => w.Start), ex);
            }

            var failure = new IOException($"fdatasync of segment {segment.Sequence} failed: {ex.Message}", ex);
            foreach (var waiter in ready)
            {
                waiter.Done.TrySetException(failure);
            }

            return;
        }

        lock (_lock)
        {
            segment.Syncing--;
            foreach (var waiter in ready)
            {
                if (waiter.Entry is { } entry)
                {
                    _live[entry.QueueId] = new LiveMessage(segment, waiter.Location);
                    segment.Live++;
                }
            }
        }

        foreach (var waiter in ready)
        {
            if (waiter.Entry is { } entry)
            {
                _statistics.AddCommitted(entry.Size);
            }

            waiter.Done.TrySetResult();
        }

        if (_committed is not null)
        {
            // After every writer of the batch has its answer: the notification never delays a 250.
            foreach (var waiter in ready)
            {
                if (waiter.Entry is { } entry)
                {
                    _committed(entry);
                }
            }
        }
    }

    /// <summary>
    /// A write or fdatasync failed at <paramref name="offset"/>: nothing from there on can be trusted to read back, so
    /// the records after it fail and the next append rolls to a new segment.
    /// </summary>
    private void BreakLocked(Segment segment, long offset, Exception cause)
    {
        if (!segment.Broken)
        {
            SpoolLog.SegmentBroken(_logger, segment.Sequence, offset, cause);
        }

        segment.Broken = true;
        segment.BrokenAt = Math.Min(segment.BrokenAt, offset);
        var failure = new IOException($"Segment {segment.Sequence} failed before this record was durable.", cause);
        foreach (var waiter in segment.Waiters.Where(w => w.Start >= segment.BrokenAt).ToList())
        {
            segment.Waiters.Remove(waiter);
            waiter.Done.TrySetException(failure);
        }

        if (_tail == segment)
        {
            SealTailLocked();
        }
    }

    private void SealTailLocked()
    {
        if (_tail is { } tail)
        {
            tail.Sealed = _time.GetUtcNow();
            _tail = null;
        }
    }

    private async Task AppendRemovalAsync(string queueId, LiveMessage message)
    {
        try
        {
            await AppendRemovalRecordAsync(queueId).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                // Not known durable: the message is still the segment's (a later removal tries again).
                message.Segment.Removing--;
                if (_live.TryAdd(queueId, message))
                {
                    message.Segment.Live++;
                }
            }

            throw;
        }

        lock (_lock)
        {
            message.Segment.Removing--;
        }

        DeleteFinishedSegments();
    }

    private async Task AppendRemovalRecordAsync(string queueId)
    {
        var length = SegmentRecord.HeaderLength + queueId.Length + 1;
        var record = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.ASCII.GetBytes(queueId, record.AsSpan(SegmentRecord.HeaderLength));
            record[length - 1] = (byte)'\n';
            await AppendAsync(SegmentRecordType.Removal, record, length, describe: null).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>
    /// Removes a message copied forward while its segment still exists: without a removal record the segment's copy
    /// would come back once the queue file is gone. The record goes first; a queue file left by a crash after it is
    /// removed at the next start (<see cref="RemoveLeftoverCopies"/>).
    /// </summary>
    private async Task RemoveCopyAsync(string queueId, Segment copiedFrom, Func<Task> removeQueueFile)
    {
        try
        {
            await AppendRemovalRecordAsync(queueId).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                copiedFrom.Removing--;
                if (_copied.TryAdd(queueId, copiedFrom))
                {
                    copiedFrom.CopiedIds.Add(queueId);
                }
            }

            throw;
        }

        lock (_lock)
        {
            copiedFrom.Removing--;
        }

        await removeQueueFile().ConfigureAwait(false);
        DeleteFinishedSegments();
    }

    /// <summary>Deletes the queue files of ids a removal record names (copies whose removal was cut short by a crash).</summary>
    private void RemoveLeftoverCopies(HashSet<string> removed)
    {
        var leftovers = removed.Where(id => File.Exists(_layout.ActivePath(id))).ToList();
        if (leftovers.Count == 0)
        {
            return;
        }

        foreach (var queueId in leftovers)
        {
            _disk.Delete(_layout.ActivePath(queueId));
            _disk.Delete(_layout.StatePath(queueId));
        }

        _disk.SyncDirectory(_layout.ActiveDirectory);
    }

    private async Task RemoveAfterCopyAsync(Task copying, string queueId, Func<Task> removeQueueFile)
    {
        await copying.ConfigureAwait(false);
        await (TryRemove(queueId, removeQueueFile) ?? removeQueueFile()).ConfigureAwait(false);
    }

    /// <summary>Deletes, oldest first, the segments nothing is left in; stops at the first that still holds something.</summary>
    private void DeleteFinishedSegments()
    {
        var finished = new List<Segment>();
        lock (_lock)
        {
            foreach (var segment in _segments.Values)
            {
                if (segment == _tail || segment.Live > 0 || segment.Removing > 0 || segment.Copying || segment.Pinned
                    || segment.Waiters.Count > 0 || segment.Writing.Count > 0 || segment.Syncing > 0)
                {
                    break;
                }

                finished.Add(segment);
            }

            foreach (var segment in finished)
            {
                _segments.Remove(segment.Sequence);
                foreach (var queueId in segment.CopiedIds)
                {
                    _copied.Remove(queueId);
                }
            }
        }

        if (finished.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var segment in finished)
            {
                segment.File?.Dispose();
                segment.File = null;
                _disk.Delete(segment.Path);
            }

            _disk.SyncDirectory(_layout.SegmentsDirectory);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            // Its messages are all removed or copied; a segment left behind is read again and deleted at the next start.
            SpoolLog.SegmentFailed(_logger, ex);
        }
    }

    /// <summary>
    /// On the retirement timer: seals a tail whose messages have waited <see cref="SegmentOptions.RetireAfter"/>, and
    /// copies forward the live messages of sealed segments that are due (sealed that long, or beyond the most segments).
    /// </summary>
    internal Task RetireDueAsync()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return Task.CompletedTask;
            }

            if (_retiring)
            {
                return _retireRun;
            }

            _retiring = true;
            return _retireRun = Task.Run(RetireDueNow);
        }
    }

    private void RetireDueNow()
    {
        try
        {
            // One pass; a copy that fails leaves its segment for the next tick.
            while (NextToRetire() is { } segment && Retire(segment))
            {
            }
        }
        finally
        {
            lock (_lock)
            {
                _retiring = false;
            }
        }

        DeleteFinishedSegments();
    }

    private Segment? NextToRetire()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return null;
            }

            var now = _time.GetUtcNow();
            if (_tail is { Live: > 0 } tail && now - tail.Opened >= _options.RetireAfter)
            {
                SealTailLocked();
            }

            var beyond = _segments.Count - _options.MaxSegments;
            foreach (var segment in _segments.Values)
            {
                var due = beyond > 0 || (segment.Sealed is { } sealedAt && now - sealedAt >= _options.RetireAfter);
                beyond--;
                if (segment != _tail && segment.Live > 0 && !segment.Copying && due)
                {
                    return segment;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Copies the live messages of <paramref name="segment"/> into queue files of their own (each fsync'd, renamed into
    /// <c>active/</c>, then one directory fsync for all); only then are they no longer the segment's.
    /// </summary>
    /// <returns>False when the copy failed (the messages stay in the segment).</returns>
    private bool Retire(Segment segment)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        List<(string QueueId, LiveMessage Message)> moving;
        lock (_lock)
        {
            // Messages being copied one by one already are left to that copy.
            moving = [.. _live.Where(l => l.Value.Segment == segment && l.Value.Copying is null).Select(l => (l.Key, l.Value))];
            if (moving.Count == 0)
            {
                return false;
            }

            segment.Copying = true;
            foreach (var (_, message) in moving)
            {
                message.Copying = done.Task;
            }
        }

        var copied = new List<string>();
        var succeeded = true;
        try
        {
            using var source = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

            // Side by side: each copy waits for its own file's fsync, and concurrent fsyncs share the journal's commits.
            Parallel.ForEach(moving, new ParallelOptions { MaxDegreeOfParallelism = CopyParallelism }, item =>
            {
                // A queue file of the id already there (an earlier copy) is the message as well.
                SegmentCopy.ToQueueFile(_layout, _disk, _logger, source, item.QueueId, item.Message.Location);
                lock (copied)
                {
                    copied.Add(item.QueueId);
                }
            });

            _disk.SyncDirectory(_layout.ActiveDirectory);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex) || ex is AggregateException { InnerExceptions: var inner } && inner.All(SpoolFiles.IsIoFailure))
        {
            SpoolLog.CopyForwardFailed(_logger, segment.Sequence, ex);
            UndoCopies(copied);
            copied.Clear();
            succeeded = false;
        }

        lock (_lock)
        {
            foreach (var (queueId, message) in moving)
            {
                message.Copying = null;
            }

            foreach (var queueId in copied)
            {
                if (_live.Remove(queueId, out var message))
                {
                    message.Segment.Live--;
                    _copied[queueId] = message.Segment;
                    message.Segment.CopiedIds.Add(queueId);
                }
            }

            segment.Copying = false;
        }

        Interlocked.Add(ref _copiedForward, copied.Count);
        SpoolLog.CopiedForward(_logger, copied.Count, segment.Sequence);
        done.TrySetResult();
        return succeeded;
    }

    /// <summary>A copy-forward that failed: its copies go, so the segment stays the only place of each message.</summary>
    private void UndoCopies(List<string> copied)
    {
        foreach (var queueId in copied)
        {
            SpoolFiles.TryDelete(_disk, _layout.ActivePath(queueId), _logger);
        }

        try
        {
            _disk.SyncDirectory(_layout.ActiveDirectory);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolLog.SegmentFailed(_logger, ex);
        }
    }

    private void SignalIfDrainedLocked()
    {
        if (_closed && !_syncRunning && _segments.Values.All(s => s.Writing.Count == 0 && s.Waiters.Count == 0))
        {
            _drained.TrySetResult();
        }
    }

    private sealed class Segment(long sequence, string path, FileStream? file, long size, DateTimeOffset opened)
    {
        public long Sequence { get; } = sequence;

        public string Path { get; } = path;

        /// <summary>Open for writing while this log appends to it or syncs it; null for a segment taken over at start.</summary>
        public FileStream? File { get; set; } = file;

        public long Size { get; } = size;

        public DateTimeOffset Opened { get; set; } = opened;

        public DateTimeOffset? Sealed { get; set; }

        /// <summary>The next free offset.</summary>
        public long Reserved { get; set; }

        /// <summary>Offsets of records reserved and not yet written.</summary>
        public SortedSet<long> Writing { get; } = [];

        /// <summary>Records written and waiting for an fdatasync.</summary>
        public List<Waiter> Waiters { get; } = [];

        public int Syncing { get; set; }

        public int Live { get; set; }

        /// <summary>Removal records for its messages not yet durable.</summary>
        public int Removing { get; set; }

        public bool Copying { get; set; }

        /// <summary>Its messages copied forward whose removal still needs a record (see <see cref="RemoveCopyAsync"/>).</summary>
        public List<string> CopiedIds { get; } = [];

        public bool Broken { get; set; }

        public long BrokenAt { get; set; } = long.MaxValue;

        /// <summary>Holds a record that checks but is no message: kept for the operator.</summary>
        public bool Pinned { get; init; }
    }

    private sealed class LiveMessage(Segment segment, SegmentLocation location)
    {
        public Segment Segment { get; } = segment;

        public SegmentLocation Location { get; } = location;

        /// <summary>Completes when a copy-forward of this message in progress has ended (successfully or not).</summary>
        public Task? Copying { get; set; }
    }

    private sealed class Waiter(long start, long end, SegmentLocation location)
    {
        public long Start { get; } = start;

        public long End { get; } = end;

        public SegmentLocation Location { get; } = location;

        /// <summary>The message a message record commits; null for a removal record.</summary>
        public QueueEntry? Entry { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
