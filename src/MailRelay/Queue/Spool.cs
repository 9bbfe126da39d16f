using MailRelay.Queue.Segments;

namespace MailRelay.Queue;

/// <summary>
/// The durable message spool under the data directory (layout and file format: docs/queue-format.md).
/// A message that fits the writer's buffer is appended to a segment file (<c>queue/segments/</c>) and made durable by
/// an fdatasync shared by every message written before it began; a larger one is written to <c>queue/incoming/</c>,
/// fsync'd, moved into <c>queue/active/</c> by its own session and made durable there with a directory fsync shared by
/// every message moved before that fsync began. Only then does <see cref="SpoolMessageWriter.CommitAsync"/> return the
/// queue id.
/// Thread-safe; one instance per data directory and process.
/// </summary>
public sealed class Spool : IAsyncDisposable
{
    /// <summary>Most messages one directory fsync commits; bounds the latency a batch can add.</summary>
    internal const int DefaultMaxBatchSize = 256;

    private readonly SpoolLayout _layout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IDiskSync _diskSync;
    private readonly QueueIdGenerator _ids;
    private readonly GroupCommitter _committer;
    private readonly SegmentLog? _segments;
    private int _lifecycle;

    public Spool(string dataDirectory, TimeProvider timeProvider, ILogger<Spool> logger)
        : this(dataDirectory, timeProvider, logger, new PosixDiskSync(), new Random(), DefaultMaxBatchSize, waitingChanged: null, new SegmentOptions())
    {
    }

    internal Spool(
        string dataDirectory,
        TimeProvider timeProvider,
        ILogger logger,
        IDiskSync diskSync,
        Random random,
        int maxBatchSize,
        Action<int>? waitingChanged,
        SegmentOptions? segments = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _layout = new SpoolLayout(dataDirectory);
        _timeProvider = timeProvider;
        _logger = logger;
        _diskSync = diskSync;
        _ids = new QueueIdGenerator(random);
        _committer = new GroupCommitter(_layout, diskSync, Statistics, logger, maxBatchSize, waitingChanged, NotifyCommitted);
        _segments = segments is null ? null : new SegmentLog(_layout, diskSync, timeProvider, logger, Statistics, segments, NotifyCommitted);
    }

    private enum Lifecycle
    {
        Created,
        Running,
        Stopped,
    }

    /// <summary>
    /// Raised on the committer's thread for each message once it is durable in <c>active/</c> (after its
    /// writer has been answered). Handlers must return quickly (e.g. queue the id and wake a loop) and
    /// must not throw; an exception is logged and ignored.
    /// </summary>
    public event EventHandler<MessageCommittedEventArgs>? MessageCommitted;

    /// <summary>The <c>queue</c> directory under the data directory.</summary>
    public string QueueDirectory => _layout.QueueDirectory;

    /// <summary>The segment files small messages are appended to; null when every message gets a file of its own.</summary>
    internal SegmentLog? Segments => _segments;

    /// <summary>Counters for metrics: commits, failures, batches and directory fsyncs.</summary>
    public SpoolStatistics Statistics { get; } = new();

    /// <summary>
    /// Creates the queue directories (durably), removes whatever is left in <c>incoming/</c> (never
    /// acknowledged, so never owed to anyone) and starts the committer. Call once, before accepting mail.
    /// </summary>
    /// <exception cref="SpoolException">The directories cannot be prepared (<see cref="SpoolFailureReason.Unavailable"/>).</exception>
    public void Initialize()
    {
        if (Interlocked.CompareExchange(ref _lifecycle, (int)Lifecycle.Running, (int)Lifecycle.Created) != (int)Lifecycle.Created)
        {
            throw new InvalidOperationException("The spool is already initialized.");
        }

        int stale;
        try
        {
            CreateDirectory(_layout.DataDirectory);
            CreateDirectory(_layout.QueueDirectory);
            CreateDirectory(_layout.IncomingDirectory);
            CreateDirectory(_layout.ActiveDirectory);
            if (_segments is not null)
            {
                CreateDirectory(_layout.SegmentsDirectory);
            }

            _diskSync.SyncDirectory(_layout.DataDirectory);
            _diskSync.SyncDirectory(_layout.QueueDirectory);
            stale = RemoveStaleIncoming();
            _segments?.Start();
        }
        catch (Exception ex) when (SpoolFiles.IsIoFailure(ex))
        {
            Interlocked.Exchange(ref _lifecycle, (int)Lifecycle.Stopped);
            throw new SpoolException(
                SpoolFailureReason.Unavailable, $"Cannot prepare the spool in {_layout.QueueDirectory}: {ex.Message}", ex);
        }

        _committer.Start();
        SpoolLog.Initialized(_logger, _layout.QueueDirectory, stale);
    }

    /// <summary>
    /// Starts a message: assigns its queue id and arrival time and creates its file in <c>incoming/</c>
    /// with the envelope header. The returned writer takes the content and commits it.
    /// </summary>
    /// <exception cref="ArgumentException">The envelope has no recipient.</exception>
    /// <exception cref="SpoolException">The file cannot be created or the spool is stopped.</exception>
    public ValueTask<SpoolMessageWriter> BeginAsync(SpoolEnvelope envelope, CancellationToken cancellationToken = default) =>
        BeginAsync(envelope, originalArrival: null, cancellationToken);

    /// <summary>
    /// Starts a message that first arrived at <paramref name="originalArrival"/> (one a peer relay hands over), so
    /// that its queue lifetime and delay warnings count from then; null = now. The queue id is drawn as for any
    /// new message.
    /// </summary>
    public ValueTask<SpoolMessageWriter> BeginAsync(SpoolEnvelope envelope, DateTimeOffset? originalArrival, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(envelope.Sender);
        ArgumentNullException.ThrowIfNull(envelope.Recipients);
        if (envelope.Recipients.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(envelope));
        }

        switch ((Lifecycle)Volatile.Read(ref _lifecycle))
        {
            case Lifecycle.Created:
                throw new InvalidOperationException("Initialize the spool before writing to it.");
            case Lifecycle.Stopped:
                throw new SpoolException(SpoolFailureReason.Unavailable, "The spool is shut down.");
        }

        var now = _timeProvider.GetUtcNow();
        var header = new SpoolHeader(SpoolHeaderCodec.CurrentVersion, _ids.Next(now), originalArrival ?? now, envelope);
        return SpoolMessageWriter.CreateAsync(header, _layout, _committer, _segments, _diskSync, Statistics, _logger, cancellationToken);
    }

    /// <summary>A reader over this spool's committed messages.</summary>
    public QueueReader CreateReader() => new(_layout.DataDirectory);

    /// <summary>Refuses new messages, finishes the commits already queued, and stops the committer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _lifecycle, (int)Lifecycle.Stopped) == (int)Lifecycle.Stopped)
        {
            return;
        }

        await _committer.DisposeAsync().ConfigureAwait(false);
        if (_segments is not null)
        {
            await _segments.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void NotifyCommitted(QueueEntry entry)
    {
        var handlers = MessageCommitted;
        if (handlers is null)
        {
            return;
        }

        try
        {
            handlers(this, new MessageCommittedEventArgs(entry));
        }
#pragma warning disable CA1031 // A subscriber's fault must not stop the committer that every session waits on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SpoolLog.NotificationFailed(_logger, entry.QueueId, ex);
        }
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(
                path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                      | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
    }

    private int RemoveStaleIncoming()
    {
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(_layout.IncomingDirectory))
        {
            _diskSync.Delete(path);
            removed++;
        }

        return removed;
    }
}
