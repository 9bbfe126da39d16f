using System.Collections.Concurrent;
using System.Threading.Channels;
using MailRelay.Delivery.Dsn;
using MailRelay.Queue;
using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// The queue manager. At start it takes the queue lock, recovers every message in <c>queue/active</c>
/// (recipients an interrupted attempt left unrecorded are pending again; only the messages of the active window,
/// QUEUE_ACTIVE_LIMIT of them, are held whole in memory, see QueueScheduler.Window) and then sleeps until the
/// earliest due time, new mail from the spool, an operator request in <c>queue/control/</c>, or a
/// finished delivery — there is no polling tick. Each pass groups a message's due recipients by next hop
/// (<see cref="TransactionGrouper"/>) into one <see cref="DeliveryRequest"/>, one transaction, per group of at most
/// DELIVERY_RECIPIENT_LIMIT recipients, and hands them to a fixed pool of workers, which
/// bounds the deliveries in progress. On stop, in-flight deliveries get the stopping token; results that
/// still arrive are recorded, cancelled attempts leave their recipients pending.
/// </summary>
public sealed partial class QueueScheduler : BackgroundService
{
    private const int LockAttempts = 50;
    private const int MaxTimerAttempts = 3;
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Longest time between passes over every message. Between them a pass looks only at the messages
    /// that changed (new mail, finished attempts), so its cost does not grow with the queue.
    /// </summary>
    private static readonly TimeSpan FullPassInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How soon a pass comes back to a message whose state record or removal a write failure (a full disk) held
    /// back; the full pass it falls in tries again.
    /// </summary>
    private static readonly TimeSpan StateRetryInterval = FullPassInterval;

    private readonly QueueSchedulerOptions _options;
    private readonly Spool _spool;
    private readonly IDeliveryTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDiskSync _diskSync;
    private readonly DeliveryRecorder _recorder;
    private readonly RemovalCommitter _removals;
    private readonly RetryPolicy _retry;
    private readonly PacingRegistry? _pacing;
    private readonly IDestinationClassifier? _classifier;
    private readonly TransactionGrouper _grouper;
    private ProviderPacer? _pacer;
    private readonly ConcurrentDictionary<string, QueueSlot> _messages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<QueueEntry> _committed = new();
    private readonly Channel<DeliveryJob> _jobs = Channel.CreateUnbounded<DeliveryJob>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Task, bool> _settling = new();
    private readonly ConcurrentQueue<QueuedMessage> _touched = new();
    private TaskCompletionSource<int> _passDone = NewPassSource();
    private DateTimeOffset _lastFullPass = DateTimeOffset.MinValue;
    private DateTimeOffset? _nextDue;
    private int _fullPassRequested;
    private int _controlPending = 1;
    private QueueLock? _lock;
    private long _jobsDispatched;

    public QueueScheduler(
        QueueSchedulerOptions options,
        Spool spool,
        IDeliveryTransport transport,
        TimeProvider timeProvider,
        ILogger<QueueScheduler> logger,
        QueueMetrics? metrics = null,
        PacingRegistry? pacing = null,
        Events.IEventOutbox? events = null)
        : this(options, spool, transport, timeProvider, logger, metrics, new PosixDiskSync(), new Random(), pacing, events)
    {
    }

    internal QueueScheduler(
        QueueSchedulerOptions options,
        Spool spool,
        IDeliveryTransport transport,
        TimeProvider timeProvider,
        ILogger logger,
        QueueMetrics? metrics,
        IDiskSync diskSync,
        Random random,
        PacingRegistry? pacing = null,
        Events.IEventOutbox? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        _options = options;
        _spool = spool;
        _transport = transport;
        _time = timeProvider;
        _logger = logger;
        metrics?.MeasureQueueWith(MeasureQueue);
        _diskSync = diskSync;
        _retry = new RetryPolicy(options.RetrySchedule, options.QueueLifetime, options.Jitter, random);

        // Pacing needs to know each domain's provider; a transport that cannot tell delivers unpaced.
        _classifier = transport as IDestinationClassifier;
        _pacing = pacing is { IsActive: true } && _classifier is not null ? pacing : null;
        _grouper = new TransactionGrouper(transport as INextHopGrouping, _pacing, options.RecipientLimit);
        _removals = new RemovalCommitter(options.DataDirectory, diskSync, spool.Segments);
        _recorder = new DeliveryRecorder(
            options.DataDirectory, _retry, new DsnWriter(spool, options.HostName, timeProvider), diskSync, timeProvider, logger, metrics, OnRemoved, _removals, options.DelayWarning,
            events, options.ClientIdHeader, new ProviderLabels(pacing));
    }

    /// <summary>Raised after an attempt's results are recorded (null results: the attempt was cut short).</summary>
    internal event Action<string, IReadOnlyList<RecipientResult>?>? AttemptRecorded;

    /// <summary>Raised when a message's files have been removed (every recipient final, or deleted).</summary>
    internal event Action<string>? MessageRemoved;

    /// <summary>Raised when an operator request has been applied.</summary>
    internal event Action<ControlRequest>? ControlApplied;

    /// <summary>Delivery requests handed to the workers so far.</summary>
    internal long JobsDispatched => Interlocked.Read(ref _jobsDispatched);

    /// <summary>Jobs waiting in the pacer's ready queues.</summary>
    internal int PacedWaiting => _pacer?.Waiting.Values.Sum() ?? 0;

    /// <summary>Messages the scheduler currently knows.</summary>
    public int MessageCount => _messages.Count;

    /// <summary>Makes deferred mail due now (one message, or all when <paramref name="queueId"/> is null).</summary>
    public void Flush(string? queueId = null)
    {
        var now = _time.GetUtcNow();
        foreach (var slot in queueId is null ? _messages.Values : _messages.TryGetValue(queueId, out var one) ? [one] : [])
        {
            FlushOne(slot, now);
        }

        Interlocked.Exchange(ref _fullPassRequested, 1);
        Wake();
    }

    /// <summary>Asks the loop for a pass as soon as it can, one that also reads operator requests.</summary>
    public void Wake()
    {
        Interlocked.Exchange(ref _controlPending, 1);
        WakeLoop();
    }

    /// <summary>Asks the loop for a pass for mail that changed (no operator request to read).</summary>
    private void WakeLoop() => _wake.Writer.TryWrite(true);

    /// <summary>Wakes the loop; completes when a pass that started after this call has finished.</summary>
    internal Task NextPassAsync()
    {
        var pass = Volatile.Read(ref _passDone).Task;
        Wake();
        return pass;
    }

    /// <summary>
    /// Takes the queue lock (<c>queue/lock</c>) unless this scheduler holds it already. The host should call
    /// it before <see cref="Spool.Initialize"/>, so a second daemon on the same data directory stops before
    /// it touches the spool; <see cref="StartAsync"/> calls it otherwise. A queue CLI holding the lock for
    /// one change is waited for (up to 5 seconds).
    /// </summary>
    /// <exception cref="InvalidOperationException">Another daemon holds the lock.</exception>
    public async Task AcquireQueueLockAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; _lock is null && (_lock = QueueLock.TryAcquire(_options.DataDirectory)) is null; attempt++)
        {
            if (attempt >= LockAttempts)
            {
                throw new InvalidOperationException(
                    $"Another process holds the queue lock in {_options.DataDirectory}; is a daemon already running?");
            }

            await Task.Delay(LockRetryDelay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await AcquireQueueLockAsync(cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(new SpoolLayout(_options.DataDirectory).ControlDirectory);
        _spool.MessageCommitted += OnCommitted;
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _spool.MessageCommitted -= OnCommitted;
            _lock?.Dispose();
            _lock = null;
        }
    }

    public override void Dispose()
    {
        _spool.MessageCommitted -= OnCommitted;
        _lock?.Dispose();
        _lock = null;
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        Recover();
        _removals.Start();
        if (_pacing is not null)
        {
            _pacer = new ProviderPacer(
                _pacing, _classifier!, job => _jobs.Writer.TryWrite(job), Drop,
                (job, now) => _retry.IsExpired(job.Message.Entry.ArrivalTime, now), _time, _logger, stoppingToken);
        }

        var workers = Enumerable.Range(0, _options.MaxConcurrency).Select(_ => WorkerAsync(stoppingToken)).ToList();
        using var watcher = WatchControlDirectory();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var next = RunPass();
                await SleepAsync(next, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the workers finish below.
        }
        finally
        {
            _jobs.Writer.TryComplete();
            if (_pacer is not null)
            {
                await _pacer.DrainAsync().ConfigureAwait(false);
                _pacer.Dispose();
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            await Task.WhenAll(_settling.Keys).ConfigureAwait(false);
            await _removals.DisposeAsync().ConfigureAwait(false);
            Volatile.Read(ref _passDone).TrySetCanceled(CancellationToken.None);
        }
    }

    private static TaskCompletionSource<int> NewPassSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnCommitted(object? sender, MessageCommittedEventArgs e)
    {
        _committed.Enqueue(e.Entry);
        WakeLoop();
    }

    private void OnRemoved(QueuedMessage message)
    {
        _messages.TryRemove(message.QueueId, out _);
        _window.TryRemove(message.QueueId, out _);
        MessageRemoved?.Invoke(message.QueueId);
    }

    /// <summary>
    /// One pass: new mail, operator requests, due work. Returns when the next deferral falls due. A full
    /// pass looks at every message in the window; it runs when asked for (flush, operator request), when a known due
    /// time has come, and at least every <see cref="FullPassInterval"/>. Otherwise only the messages
    /// admitted or attempted since the last pass are looked at: nothing else can have become due, because
    /// <see cref="_nextDue"/> is never later than the earliest due time of a message not looked at (out of the window
    /// too, unless the window is full: then the message that makes room wakes the loop). Every pass brings due messages
    /// into the window as room allows.
    /// </summary>
    private DateTimeOffset? RunPass()
    {
        var pass = Interlocked.Exchange(ref _passDone, NewPassSource());
        AdmitCommitted();
        var now = _time.GetUtcNow();
        var periodic = now - _lastFullPass >= FullPassInterval;
        if (Interlocked.Exchange(ref _controlPending, 0) == 1 || periodic)
        {
            ApplyControlRequests();
        }

        var full = Interlocked.Exchange(ref _fullPassRequested, 0) == 1
            || periodic
            || (_nextDue is { } known && known <= now);
        var touched = TakeTouched();
        IEnumerable<QueuedMessage> candidates = touched;
        if (full)
        {
            _lastFullPass = now;
            _nextDue = null;

            // The changed ones first, in the order they changed, so new mail goes out oldest first.
            candidates = touched.Concat(_window.Values);
        }

        DateTimeOffset? next = null;
        var dispatched = 0;
        foreach (var message in candidates)
        {
            dispatched += Visit(message, now, full, ref next);
        }

        // Room made by messages that left the window or were removed goes to the earliest due ones out of it.
        foreach (var message in LoadDue(now))
        {
            dispatched += Visit(message, now, full: true, ref next);
        }

        if (NextOutOfWindow() is { } comingBack && (next is null || comingBack < next))
        {
            next = comingBack;
        }

        Interlocked.Add(ref _jobsDispatched, dispatched);

        if (next is { } soonest && (_nextDue is null || soonest < _nextDue))
        {
            _nextDue = soonest;
        }

        pass.TrySetResult(dispatched);
        return _nextDue;
    }

    /// <summary>
    /// Looks at one message of the window: retries records a full disk held back (<paramref name="full"/>), starts its
    /// settling, dispatches its due recipients, or lets it leave the window when nothing about it is due or in
    /// progress. Lowers <paramref name="next"/> to when it is due again; returns the jobs dispatched.
    /// </summary>
    private int Visit(QueuedMessage message, DateTimeOffset now, bool full, ref DateTimeOffset? next)
    {
        var jobs = new List<DeliveryJob>();
        var settle = false;
        lock (message.Sync)
        {
            if (message.Removed || message.Evicted)
            {
                return 0;
            }

            if (full)
            {
                _recorder.RetryUnwritten(message);
            }

            if (!message.Settling && _recorder.NeedsSettling(message, now))
            {
                settle = true;
            }

            if (message.HasUnwrittenState || (message.AllFinal && !message.HasInFlight))
            {
                // Written or removed by then, or tried again: nothing else would wake the loop for it.
                var retry = now + StateRetryInterval;
                next = next is null || retry < next ? retry : next;
            }

            if (!message.Held)
            {
                foreach (var (domain, recipients) in _grouper.Group(message.Due(now)))
                {
                    message.MarkInFlight(recipients);
                    jobs.Add(new DeliveryJob(message, domain, recipients));
                }
            }

            if (!settle && jobs.Count == 0 && TryLeave(message, now))
            {
                // Its slot's due time is in the queue of those out of the window.
                return 0;
            }

            if (!message.Held && message.NextDue() is { } due && (next is null || due < next))
            {
                next = due;
            }
        }

        if (settle)
        {
            StartSettling(message);
        }

        foreach (var job in jobs)
        {
            Dispatch(job);
        }

        return jobs.Count;
    }

    /// <summary>
    /// The queue as <c>queue list</c> shows it: every message not yet removed (held ones too) with its
    /// recipients not yet final. Read at each scrape; a message's state changes in memory right after its
    /// state log, so the two agree but for the moment in between.
    /// </summary>
    private QueueSize MeasureQueue()
    {
        var messages = 0;
        var recipients = 0;
        var oldest = long.MaxValue;
        foreach (var slot in _messages.Values)
        {
            if (OpenRecipientsOf(slot) is not { } open)
            {
                continue;
            }

            messages++;
            recipients += open;
            oldest = Math.Min(oldest, slot.ArrivalTicks);
        }

        return new QueueSize(messages, recipients, messages > 0 ? _time.GetUtcNow() - new DateTimeOffset(oldest, TimeSpan.Zero) : TimeSpan.Zero);
    }

    /// <summary>A message's recipients not yet final, from its full record in the window or from its slot; null once removed.</summary>
    private static int? OpenRecipientsOf(QueueSlot slot)
    {
        while (true)
        {
            QueuedMessage? message;
            lock (slot)
            {
                message = slot.Message;
                if (message is null)
                {
                    return slot.OpenRecipients;
                }
            }

            lock (message.Sync)
            {
                if (message.Removed)
                {
                    return null;
                }

                // One that left the window meanwhile is counted from its slot on the next turn.
                if (!message.Evicted)
                {
                    return message.OpenRecipients;
                }
            }
        }
    }

    /// <summary>Hands a job to the workers, through the pacer when pacing is on.</summary>
    private void Dispatch(DeliveryJob job)
    {
        if (_pacer is not null)
        {
            _pacer.Enqueue(job);
        }
        else
        {
            _jobs.Writer.TryWrite(job);
        }
    }

    /// <summary>A job the pacer gives back unattempted (held, deleted, stopping): its recipients are free again.</summary>
    private void Drop(DeliveryJob job)
    {
        lock (job.Message.Sync)
        {
            job.Message.ClearInFlight(job.Recipients);
        }

        _touched.Enqueue(job.Message);
        WakeLoop();
    }

    /// <summary>The messages changed since the last pass, each once, in the order they changed (new mail oldest first).</summary>
    private List<QueuedMessage> TakeTouched()
    {
        var seen = new HashSet<QueuedMessage>(ReferenceEqualityComparer.Instance);
        var touched = new List<QueuedMessage>();
        while (_touched.TryDequeue(out var message))
        {
            if (seen.Add(message))
            {
                touched.Add(message);
            }
        }

        return touched;
    }

    private void StartSettling(QueuedMessage message)
    {
        var task = Task.Run(() => _recorder.SettleAsync(message));
        _settling.TryAdd(task, true);
        task.ContinueWith(t => _settling.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task WorkerAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (await WaitForJobAsync(stoppingToken).ConfigureAwait(false))
        {
            while (!stoppingToken.IsCancellationRequested && _jobs.Reader.TryRead(out var job))
            {
                await RunJobAsync(job, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> WaitForJobAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await _jobs.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunJobAsync(DeliveryJob job, CancellationToken stoppingToken)
    {
        IReadOnlyList<RecipientResult>? results = null;
        try
        {
            results = job.Expired
                ? [.. job.Recipients.Select(r => new RecipientResult(
                    r, RecipientOutcome.Deferred, new RemoteReply(451, "4.4.7", "delivery paced beyond the queue lifetime"), null, null))]
                : await _transport.DeliverAsync(
                    new DeliveryRequest(job.Message.Entry, job.Domain, job.Recipients) { Pacing = job.Ticket?.Connection, Gate = job.Ticket?.Gate },
                    stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Cut short by shutdown: the recipients stay as they were and are attempted after the next start.
            results = null;
        }
#pragma warning disable CA1031 // The contract returns outcomes as values; a fault still must not kill the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SchedulerLog.TransportFailed(_logger, job.Message.QueueId, ex);
            results = [.. job.Recipients.Select(r => new RecipientResult(
                r, RecipientOutcome.Deferred, new RemoteReply(451, "4.3.0", "local delivery error"), null, null))];
        }

        if (job.Ticket is { } ticket)
        {
            _pacer!.Complete(ticket, results);
        }

        var settle = await _recorder.RecordAsync(job, results).ConfigureAwait(false);
        _touched.Enqueue(job.Message);
        AttemptRecorded?.Invoke(job.Message.QueueId, results);
        if (settle)
        {
            StartSettling(job.Message);
        }

        WakeLoop();
    }
}
