using System.Buffers;
using MailRelay.Queue.Segments;

namespace MailRelay.Queue;

/// <summary>
/// Streams one message into the spool. Content goes through one pooled buffer of <see cref="BufferSize"/> bytes, so
/// memory stays bounded whatever the message size. A message whose envelope header and content fit the buffer is
/// committed as one record of a segment file, sharing an fdatasync with every message committed beside it; one that
/// outgrows the buffer gets its own queue file, created when the buffer first fills. Call
/// <see cref="WriteAsync"/> any number of times, then <see cref="CommitAsync"/> or <see cref="AbortAsync"/>;
/// disposing without a commit aborts. Not thread-safe: one session owns one writer.
/// </summary>
public sealed class SpoolMessageWriter : IAsyncDisposable
{
    /// <summary>The write buffer; larger writes go straight to the file.</summary>
    public const int BufferSize = 64 * 1024;

    /// <summary>Room before the buffered bytes for a segment record's header, so a record is written from the buffer as it is.</summary>
    private const int BufferStart = SegmentRecord.HeaderLength;

    private readonly string _incomingPath;
    private readonly string _activePath;
    private readonly GroupCommitter _committer;
    private readonly SegmentLog? _segments;
    private readonly IDiskSync _diskSync;
    private readonly SpoolStatistics _statistics;
    private readonly ILogger _logger;
    private readonly SpoolHeader _header;
    private FileStream? _file;
    private byte[]? _buffer;
    private long _contentOffset;
    private int _buffered;
    private WriterState _state = WriterState.Open;

    private SpoolMessageWriter(
        SpoolHeader header,
        SpoolLayout layout,
        GroupCommitter committer,
        SegmentLog? segments,
        IDiskSync diskSync,
        SpoolStatistics statistics,
        ILogger logger)
    {
        _segments = segments;
        _header = header;
        _incomingPath = layout.IncomingPath(QueueId);
        _activePath = layout.ActivePath(QueueId);
        _committer = committer;
        _diskSync = diskSync;
        _statistics = statistics;
        _logger = logger;
    }

    private enum WriterState
    {
        Open,
        Committing,
        Committed,
        Failed,
        Aborted,
    }

    /// <summary>The message's queue id, known from the start (for the Received: header and logs).</summary>
    public string QueueId => _header.QueueId;

    /// <summary>When the message arrived, as recorded in its envelope.</summary>
    public DateTimeOffset ArrivalTime => _header.ArrivalTime;

    /// <summary>Message bytes written so far (the envelope header is not counted).</summary>
    public long ContentLength { get; private set; }

    /// <summary>
    /// Appends message bytes. They are buffered and reach the file in order. After a cancelled write
    /// the file's content is undefined: abort the message.
    /// </summary>
    /// <exception cref="SpoolException">The file could not be written; it has been removed already.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ThrowUnlessOpen();
        try
        {
            await AppendAsync(content, cancellationToken).ConfigureAwait(false);
            ContentLength += content.Length;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            throw Fail(ex, SpoolFiles.IsOutOfSpace(ex) ? SpoolFailureReason.InsufficientStorage : SpoolFailureReason.WriteFailed);
        }
    }

    /// <summary>
    /// Makes the message durable: appends it to a segment and waits for the fdatasync that covers it, or, for a message
    /// with a file of its own, flushes and fsyncs the file, then the group committer moves it into the
    /// committed directory and fsyncs that directory. Returns the queue id only once all of that is done;
    /// only then may the client hear 250. Cancellation is honoured up to the file fsync; after that the
    /// message may still be committed even though the caller stopped waiting (the client, having no 250,
    /// will retry: a duplicate, never a loss).
    /// </summary>
    /// <exception cref="SpoolException">Not durable; nothing of the message is left in the committed area.</exception>
    public async ValueTask<string> CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowUnlessOpen();
        if (_file is null && _segments is not null
            && await CommitToSegmentAsync(_segments, cancellationToken).ConfigureAwait(false) is { } queueId)
        {
            return queueId;
        }

        var reason = SpoolFailureReason.WriteFailed;
        try
        {
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            reason = SpoolFailureReason.SyncFailed;
            _diskSync.SyncFile(_file!);
            reason = SpoolFailureReason.WriteFailed;
            await CloseFileAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            throw Fail(ex, SpoolFiles.IsOutOfSpace(ex) ? SpoolFailureReason.InsufficientStorage : reason);
        }

        _state = WriterState.Committing;
        var entry = QueueEntry.Of(_header, _activePath, _contentOffset, ContentLength);
        var committed = _committer.CommitAsync(new PendingCommit(entry, _incomingPath));
        try
        {
            await committed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SpoolException)
        {
            _state = WriterState.Failed;
            SpoolFiles.TryDelete(_diskSync, _incomingPath, _logger);
            throw;
        }

        _state = WriterState.Committed;
        return QueueId;
    }

    /// <summary>Discards the message and removes its file. Does nothing once committed or already aborted.</summary>
    public async ValueTask AbortAsync()
    {
        if (_state is not (WriterState.Open or WriterState.Failed))
        {
            return;
        }

        _state = WriterState.Aborted;
        await CloseQuietlyAsync().ConfigureAwait(false);
        SpoolFiles.TryDelete(_diskSync, _incomingPath, _logger);
    }

    /// <summary>Aborts unless the message was committed.</summary>
    public ValueTask DisposeAsync() => AbortAsync();

    internal static async ValueTask<SpoolMessageWriter> CreateAsync(
        SpoolHeader header,
        SpoolLayout layout,
        GroupCommitter committer,
        SegmentLog? segments,
        IDiskSync diskSync,
        SpoolStatistics statistics,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var writer = new SpoolMessageWriter(header, layout, committer, segments, diskSync, statistics, logger);
        try
        {
            if (segments is null)
            {
                writer.OpenFile();
            }

            writer._buffer = ArrayPool<byte>.Shared.Rent(BufferStart + BufferSize);
            var encoded = SpoolHeaderCodec.Encode(header);
            writer._contentOffset = encoded.Length;
            await writer.AppendAsync(encoded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            throw writer.Fail(ex, SpoolFiles.IsOutOfSpace(ex) ? SpoolFailureReason.InsufficientStorage : SpoolFailureReason.WriteFailed);
        }
        catch (OperationCanceledException)
        {
            await writer.AbortAsync().ConfigureAwait(false);
            throw;
        }

        return writer;
    }

    private async ValueTask AppendAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var buffer = _buffer!;
        if (_buffered == 0 && content.Length >= BufferSize)
        {
            await _diskSync.WriteAsync(_file ?? OpenFile(), content, cancellationToken).ConfigureAwait(false);
            return;
        }

        while (!content.IsEmpty)
        {
            var count = Math.Min(content.Length, BufferSize - _buffered);
            content.Span[..count].CopyTo(buffer.AsSpan(BufferStart + _buffered));
            _buffered += count;
            content = content[count..];
            if (_buffered == BufferSize)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_buffered > 0)
        {
            await _diskSync.WriteAsync(_file ?? OpenFile(), _buffer.AsMemory(BufferStart, _buffered), cancellationToken).ConfigureAwait(false);
            _buffered = 0;
        }
    }

    /// <summary>Creates the message's own file in <c>incoming/</c>: at the start without segments, else once the buffer fills.</summary>
    private FileStream OpenFile() => _file = _diskSync.Open(_incomingPath, SpoolFiles.CreateNewOptions(FileOptions.Asynchronous));

    /// <summary>
    /// The whole message is in the buffer: one record, durable with the fdatasync that covers it. Null when no segment
    /// can be had now (a disk too full to prepare one): the message then goes to a file of its own, as a large one does.
    /// </summary>
    private async ValueTask<string?> CommitToSegmentAsync(SegmentLog segments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _state = WriterState.Committing;
        QueueEntry entry;
        try
        {
            entry = await segments.AppendMessageAsync(_buffer!, BufferStart + _buffered, _header, (int)_contentOffset).ConfigureAwait(false);
        }
        catch (SegmentUnavailableException)
        {
            _state = WriterState.Open;
            return null;
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            throw Fail(ex, SpoolFiles.IsOutOfSpace(ex) ? SpoolFailureReason.InsufficientStorage : SpoolFailureReason.SyncFailed);
        }

        ReturnBuffer();
        _state = WriterState.Committed;
        return entry.QueueId;
    }

    private async ValueTask CloseFileAsync()
    {
        var file = _file;
        _file = null;
        ReturnBuffer();
        if (file is not null)
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask CloseQuietlyAsync()
    {
        try
        {
            await CloseFileAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolLog.CleanupFailed(_logger, _incomingPath, ex);
        }
    }

    private SpoolException Fail(Exception cause, SpoolFailureReason reason)
    {
        _state = WriterState.Failed;
        _statistics.AddFailed();
        SpoolLog.WriteFailed(_logger, QueueId, reason, cause);
        var file = _file;
        _file = null;
        ReturnBuffer();
        try
        {
            file?.Dispose();
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            SpoolLog.CleanupFailed(_logger, _incomingPath, ex);
        }

        SpoolFiles.TryDelete(_diskSync, _incomingPath, _logger);
        return new SpoolException(reason, $"Spooling message {QueueId} failed: {cause.Message}", cause) { QueueId = QueueId };
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _buffered = 0;
    }

    private void ThrowUnlessOpen()
    {
        switch (_state)
        {
            case WriterState.Open:
                return;
            case WriterState.Failed:
                throw new SpoolException(SpoolFailureReason.WriteFailed, $"Message {QueueId} has already failed.") { QueueId = QueueId };
            default:
                throw new InvalidOperationException($"Message {QueueId} is already {_state.ToString().ToUpperInvariant()}.");
        }
    }
}
