using System.Threading.Channels;
using MailRelay.Events;

namespace MailRelay.Webhooks;

/// <summary>
/// Feeds one endpoint from the event outbox, as one outbox consumer. Events are read into a bounded window from the
/// endpoint's acknowledged position; the events of one message (one queue id) form a chain and go one after the other,
/// different messages in parallel up to WEBHOOK_MAX_IN_FLIGHT. The acknowledged position moves only over events that
/// are finished (2xx, dropped, or of a type the endpoint does not take), so after a crash or restart the endpoint gets
/// again, with the same event ids, at most what it had not acknowledged. Retry times live only here: after a restart
/// every unacknowledged event is attempted at once, and WEBHOOK_MAX_AGE still counts from the event's own time.
/// </summary>
internal sealed class WebhookDispatcher
{
    internal const int DefaultWindow = 1000;
    private const int ReadBatch = 256;
    private static readonly TimeSpan OutboxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly WebhookSender _sender;
    private readonly IEventOutboxReader _outbox;
    private readonly WebhookMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly int _maxInFlight;
    private readonly TimeSpan _maxAge;
    private readonly int _window;
    private readonly Queue<PendingEvent> _pending = new();
    private readonly Dictionary<string, Queue<PendingEvent>> _chains = new(StringComparer.Ordinal);
    private readonly Channel<(PendingEvent Event, WebhookAttemptOutcome Outcome)> _completions =
        Channel.CreateUnbounded<(PendingEvent, WebhookAttemptOutcome)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<Task> _running = [];
    private long _next;
    private Position? _position;
    private int _inFlight;
    private CancellationToken _stopping;
    private bool _failing;
    private int _failedSinceSuccess;

    public WebhookDispatcher(
        WebhookSender sender,
        IEventOutboxReader outbox,
        WebhookMetrics metrics,
        int maxInFlight,
        TimeSpan maxAge,
        TimeProvider time,
        Random random,
        ILogger logger,
        int window = DefaultWindow)
    {
        _sender = sender;
        _outbox = outbox;
        _metrics = metrics;
        _maxInFlight = maxInFlight;
        _maxAge = maxAge;
        _time = time;
        _random = random;
        _logger = logger;
        _window = Math.Max(window, maxInFlight);
    }

    public WebhookEndpoint Endpoint => _sender.Endpoint;

    /// <summary>The acknowledged position (exclusive); -1 before <see cref="Register"/>.</summary>
    public long Acknowledged => Volatile.Read(ref _position)?.Acknowledged ?? -1;

    /// <summary>Registers the endpoint's consumer with the outbox and takes up its acknowledged position.</summary>
    public long Register()
    {
        var position = _outbox.Register(Endpoint.ConsumerName);
        _next = position;
        Volatile.Write(ref _position, new Position(position, null));
        return position;
    }

    /// <summary>The figures behind the endpoint's gauges, now (called at each scrape, from another thread).</summary>
    public WebhookBacklog Measure()
    {
        // One snapshot: the position and the time of the event at it were published together.
        var position = Volatile.Read(ref _position);
        var inFlight = Volatile.Read(ref _inFlight);
        if (position is null)
        {
            return new WebhookBacklog(0, TimeSpan.Zero, inFlight);
        }

        var backlog = Math.Max(0, _outbox.NextSequence - position.Acknowledged);
        if (backlog == 0)
        {
            return new WebhookBacklog(0, TimeSpan.Zero, inFlight);
        }

        // With an empty window the event at the position is one not read yet: ask the outbox for its time.
        var oldest = position.HeadTime;
        if (oldest is null && _outbox.Read(position.Acknowledged, 1) is [var unread, ..])
        {
            oldest = unread.Time;
        }

        var age = oldest is { } time ? _time.GetUtcNow() - time : TimeSpan.Zero;
        return new WebhookBacklog(backlog, age > TimeSpan.Zero ? age : TimeSpan.Zero, inFlight);
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; requests still open then are cancelled and stay unacknowledged.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (Acknowledged < 0)
        {
            Register();
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan? wait;
                try
                {
                    Absorb();
                    Fill();
                    wait = StartDue();
                    Acknowledge();
                }
                catch (IOException exception)
                {
                    WebhookLog.OutboxFailed(_logger, Endpoint.Name, exception.Message);
                    wait = OutboxRetryDelay;
                }

                await WaitAsync(wait, stoppingToken);
            }
        }
        finally
        {
            await FinishAsync();
        }
    }

    private void Absorb()
    {
        while (_completions.Reader.TryRead(out var completion))
        {
            Complete(completion.Event, completion.Outcome);
        }
    }

    private void Fill()
    {
        while (_pending.Count < _window && _next < _outbox.NextSequence)
        {
            var records = _outbox.Read(_next, Math.Min(ReadBatch, _window - _pending.Count));
            if (records.Count == 0)
            {
                break;
            }

            var now = _time.GetUtcNow();
            foreach (var record in records)
            {
                var pending = new PendingEvent(record, now);
                _pending.Enqueue(pending);
                _next = record.Sequence + 1;
                if (!Endpoint.Takes(record.Type))
                {
                    pending.Done = true;
                    continue;
                }

                if (!_chains.TryGetValue(pending.ChainKey, out var chain))
                {
                    _chains[pending.ChainKey] = chain = new Queue<PendingEvent>();
                }

                chain.Enqueue(pending);
            }
        }
    }

    /// <summary>Starts every chain head that is due, oldest first, up to the in-flight bound; returns the wait until the next one.</summary>
    private TimeSpan? StartDue()
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? nextDue = null;
        foreach (var pending in _pending)
        {
            if (pending.Done || pending.InFlight || !ReferenceEquals(_chains[pending.ChainKey].Peek(), pending))
            {
                continue;
            }

            if (pending.DueAt > now)
            {
                nextDue = nextDue is { } earlier && earlier < pending.DueAt ? earlier : pending.DueAt;
                continue;
            }

            if (now - pending.Record.Time >= _maxAge)
            {
                WebhookLog.Dropped(_logger, Endpoint.Name, pending.Record.Id, pending.Record.Type, pending.Record.QueueId, pending.Failures, $"older than {_maxAge}");
                _metrics.Dropped(Endpoint.Name, "max_age");
                Finish(pending);
                continue;
            }

            if (_inFlight >= _maxInFlight)
            {
                // A completion wakes the loop; nothing to time.
                continue;
            }

            Start(pending);
        }

        // Timers count whole milliseconds: a wait never rounds down to nothing (the loop would spin until the due time).
        return nextDue is { } due ? TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling((due - now).TotalMilliseconds))) : null;
    }

    private void Start(PendingEvent pending)
    {
        pending.InFlight = true;
        Interlocked.Increment(ref _inFlight);
        var task = SendAsync(pending);
        lock (_running)
        {
            _running.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_running)
                {
                    _running.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task SendAsync(PendingEvent pending)
    {
        WebhookAttemptOutcome outcome;
        try
        {
            outcome = await _sender.SendAsync(pending.Record, _stopping);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A fault of one request must not leave its message's chain waiting forever.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            outcome = WebhookAttemptOutcome.Failed("network", exception.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        _completions.Writer.TryWrite((pending, outcome));
    }

    private void Complete(PendingEvent pending, WebhookAttemptOutcome outcome)
    {
        pending.InFlight = false;
        var record = pending.Record;
        switch (outcome.Result)
        {
            case WebhookAttemptResult.Sent:
                _metrics.Sent(Endpoint.Name);
                if (_failing)
                {
                    WebhookLog.Recovered(_logger, Endpoint.Name, _failedSinceSuccess);
                }

                _failing = false;
                _failedSinceSuccess = 0;
                Finish(pending);
                break;
            case WebhookAttemptResult.Dropped:
                WebhookLog.Dropped(_logger, Endpoint.Name, record.Id, record.Type, record.QueueId, pending.Failures, outcome.Detail);
                _metrics.Dropped(Endpoint.Name, outcome.Reason);
                Finish(pending);
                break;
            default:
                _metrics.Failed(Endpoint.Name, outcome.Reason);
                pending.Failures++;
                _failedSinceSuccess++;
                var delay = WebhookBackoff.Delay(pending.Failures, _random.NextDouble(), outcome.RetryAfter);
                pending.DueAt = _time.GetUtcNow() + delay;
                if (!_failing)
                {
                    _failing = true;
                    WebhookLog.Failing(_logger, Endpoint.Name, outcome.Reason, outcome.Detail, record.Id);
                }
                else
                {
                    WebhookLog.AttemptFailed(_logger, Endpoint.Name, record.Id, pending.Failures, outcome.Reason, outcome.Detail, delay);
                }

                break;
        }
    }

    /// <summary>Marks an event finished and lets the next event of its message go.</summary>
    private void Finish(PendingEvent pending)
    {
        pending.Done = true;
        var chain = _chains[pending.ChainKey];
        chain.Dequeue();
        if (chain.Count == 0)
        {
            _chains.Remove(pending.ChainKey);
        }
    }

    /// <summary>Moves the acknowledged position over the finished events at the head of the window.</summary>
    private void Acknowledge()
    {
        while (_pending.TryPeek(out var finished) && finished.Done)
        {
            _pending.Dequeue();
        }

        var head = _pending.TryPeek(out var first) ? first : null;
        var position = new Position(head?.Record.Sequence ?? _next, head?.Record.Time);
        var current = Volatile.Read(ref _position);
        if (position.Acknowledged != current?.Acknowledged)
        {
            _outbox.Acknowledge(Endpoint.ConsumerName, position.Acknowledged);
        }

        if (position != current)
        {
            Volatile.Write(ref _position, position);
        }
    }

    private async Task WaitAsync(TimeSpan? delay, CancellationToken stoppingToken)
    {
        if (_completions.Reader.TryPeek(out _))
        {
            return;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var wakers = new List<Task> { _completions.Reader.WaitToReadAsync(waiting.Token).AsTask() };
        if (_pending.Count < _window)
        {
            wakers.Add(_outbox.WaitBeyondAsync(_next, waiting.Token));
        }

        if (delay is { } due)
        {
            wakers.Add(Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero, _time, waiting.Token));
        }

        await Task.WhenAny(wakers);
        await waiting.CancelAsync();
        foreach (var waker in wakers)
        {
            try
            {
                await waker;
            }
            catch (OperationCanceledException)
            {
                // The waits that did not wake the loop end here.
            }
        }
    }

    /// <summary>At shutdown: requests still open are cancelled; what finished before is acknowledged.</summary>
    private async Task FinishAsync()
    {
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
            // Cancelled requests stay unacknowledged: they are sent again after the restart.
        }

        try
        {
            Absorb();
            Acknowledge();
        }
        catch (IOException exception)
        {
            WebhookLog.OutboxFailed(_logger, Endpoint.Name, exception.Message);
        }
    }

    /// <summary>The acknowledged position and the time of the event at it (null when no event there has been read yet).</summary>
    private sealed record Position(long Acknowledged, DateTimeOffset? HeadTime);
}
