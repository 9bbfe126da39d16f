using System.Collections.Concurrent;
using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// Delivery pacing between the scheduler and the workers. Each due job (one transaction: recipients of a message
/// that share a next hop, a provider and a custom-domain scope) is classified by the provider that receives its
/// first domain's mail and joins that provider's ready queue; a job is one send whatever its number of recipients; one pump per queue
/// releases its jobs one at a time: it claims the adaptive controller's next send slot (which also keeps the
/// circuit breaker's pause and single probe), counts the send against the day's warm-up cap, reserves the static
/// rate slot at or after that, waits on one timer until shortly before it (the time a connection takes to get
/// ready) and takes a delivery slot under the connection ceilings. The transaction itself starts at the job's
/// <see cref="TransactionGate"/>, just before MAIL FROM, so the gaps hold where the receiver measures them.
/// Jobs wait here, not in the workers, so a slow provider never starves the others,
/// and a wait is never an attempt: it leaves the recipient's state and retry schedule untouched.
/// </summary>
internal sealed partial class ProviderPacer : IDisposable
{
    /// <summary>
    /// Classifications that may look up an MX at once: a queue full of mail to thousands of new domains must not
    /// send thousands of DNS queries in the same instant.
    /// </summary>
    private const int MaxConcurrentClassifications = 32;

    private readonly SemaphoreSlim _classifying = new(MaxConcurrentClassifications, MaxConcurrentClassifications);
    private readonly PacingRegistry _registry;
    private readonly IDestinationClassifier _classifier;
    private readonly Func<DeliveryJob, bool> _release;
    private readonly Action<DeliveryJob> _drop;
    private readonly Func<DeliveryJob, DateTimeOffset, bool> _expired;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, ReadyQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _running = new();

    /// <param name="release">Hands a job to the workers; false when they no longer take jobs.</param>
    /// <param name="drop">Gives back a job that will not be attempted now (held, deleted, stopping).</param>
    /// <param name="expired">Whether a job's message has outlived the queue lifetime at a time.</param>
    public ProviderPacer(
        PacingRegistry registry,
        IDestinationClassifier classifier,
        Func<DeliveryJob, bool> release,
        Action<DeliveryJob> drop,
        Func<DeliveryJob, DateTimeOffset, bool> expired,
        TimeProvider time,
        ILogger logger,
        CancellationToken stopping)
    {
        _registry = registry;
        _classifier = classifier;
        _release = release;
        _drop = drop;
        _expired = expired;
        _time = time;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Jobs waiting in ready queues, by queue key.</summary>
    public IReadOnlyDictionary<string, int> Waiting => _queues.ToDictionary(q => q.Key, q => q.Value.Count, StringComparer.Ordinal);

    /// <summary>Starts pacing <paramref name="job"/>; it reaches the workers when its provider allows.</summary>
    public void Enqueue(DeliveryJob job) => Track(ClassifyAsync(job));

    /// <summary>Completes when every classification and pump has ended (after the stopping token fired).</summary>
    public Task DrainAsync() => Task.WhenAll(_running.Keys);

    /// <summary>Call after <see cref="DrainAsync"/>: nothing classifies any more.</summary>
    public void Dispose() => _classifying.Dispose();

    /// <summary>Tells a finished paced attempt's outcome to its provider's controller and frees its delivery slot.</summary>
    public void Complete(PacingTicket ticket, IReadOnlyList<RecipientResult>? results)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ticket.Lease.Dispose();
        var outcome = OutcomeOf(results);
        _registry.Report(ticket.Provider, outcome, ticket.IsProbe);
        if (outcome == DeliveryOutcome.RateLimited)
        {
            PacerLog.RateLimited(_logger, ticket.Provider.Value, _registry.Controller(ticket.Provider).CurrentDelay.TotalMilliseconds);
        }
    }

    /// <summary>
    /// What an attempt says about the provider's pace: rate limited when any recipient drew a rate-limit reply
    /// (<see cref="RateLimitReply"/>), accepted when any was delivered, otherwise nothing either way.
    /// </summary>
    internal static DeliveryOutcome OutcomeOf(IReadOnlyList<RecipientResult>? results)
    {
        if (results is null)
        {
            return DeliveryOutcome.Abandoned;
        }

        if (results.Any(r => r.Outcome != RecipientOutcome.Delivered && RateLimitReply.IsRateLimit(r.Reply.Code, r.Reply.EnhancedCode, r.Reply.Text)))
        {
            return DeliveryOutcome.RateLimited;
        }

        return results.Any(r => r.Outcome == RecipientOutcome.Delivered) ? DeliveryOutcome.Accepted : DeliveryOutcome.OtherFailure;
    }

    private void Track(Task task)
    {
        _running.TryAdd(task, true);
        task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ClassifyAsync(DeliveryJob job)
    {
        ProviderKey? provider;
        try
        {
            await _classifying.WaitAsync(_stopping).ConfigureAwait(false);
            try
            {
                provider = await _classifier.ProviderOfAsync(job.Domain, _registry.Resolver, _stopping).ConfigureAwait(false);
            }
            finally
            {
                _classifying.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            _drop(job);
            return;
        }
#pragma warning disable CA1031 // A classification fault must not lose the job: it goes unpaced and reports itself.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PacerLog.ClassificationFailed(_logger, job.Domain, ex);
            provider = null;
        }

        // Unroutable now (NXDOMAIN, null MX, DNS trouble): paced under the domain's own key, so that an attempt
        // whose own lookup succeeds after all still keeps a ceiling and reports to a controller.
        var key = provider ?? _registry.Resolver.ForDomain(job.Domain);
        var scope = _registry.DomainScope(job.Domain);
        var queueKey = scope is { } domain ? key.Value + "|" + domain.Value : key.Value;
        var queue = _queues.GetOrAdd(queueKey, _ => new ReadyQueue(queueKey, key, scope));
        if (queue.Add(job with { Provider = key }))
        {
            Track(PumpAsync(queue));
        }
    }

    private async Task PumpAsync(ReadyQueue queue)
    {
        await Task.Yield();
        try
        {
            while (queue.TryPeek(out var job))
            {
                if (!IsDeliverable(job))
                {
                    queue.Remove(job);
                    _drop(job);
                    continue;
                }

                if (_expired(job, _time.GetUtcNow()))
                {
                    // Paced past its lifetime: the worker records it as expired without connecting.
                    queue.Remove(job);
                    Hand(job with { Expired = true });
                    continue;
                }

                var ticket = await AdmitAsync(queue).ConfigureAwait(false);
                queue.Remove(job);
                var deliverable = IsDeliverable(job);
                if (!deliverable || _expired(job, _time.GetUtcNow()))
                {
                    // Held, deleted or expired while it waited: the slot goes unused.
                    ticket.Lease.Dispose();
                    _registry.Controller(ticket.Provider).Report(DeliveryOutcome.Abandoned, ticket.IsProbe);
                    if (deliverable)
                    {
                        Hand(job with { Expired = true });
                    }
                    else
                    {
                        _drop(job);
                    }

                    continue;
                }

                Hand(job with { Ticket = ticket });
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            foreach (var job in queue.TakeAll())
            {
                _drop(job);
            }
        }
    }

    private void Hand(DeliveryJob job)
    {
        if (!_release(job))
        {
            if (job.Ticket is { } ticket)
            {
                ticket.Lease.Dispose();
                _registry.Controller(ticket.Provider).Report(DeliveryOutcome.Abandoned, ticket.IsProbe);
            }

            _drop(job);
        }
    }

    /// <summary>
    /// Waits until the queue's next job may go to a worker: the adaptive slot (or the end of the circuit's pause),
    /// the day's warm-up cap, the static rate slot reserved at or after the adaptive one, and a delivery slot under
    /// the connection ceilings. The pump waits only until the queue's <see cref="ConnectLead"/> before the reserved
    /// slot: the worker connects in that time, and the job's <see cref="TransactionGate"/> holds MAIL FROM until the
    /// slot. The rate slot is reserved (and that wait done) before a delivery slot is taken, so a paced provider does
    /// not sit on a global connection slot; if the delivery slot came only when the reserved slot had come, a fresh
    /// rate slot is reserved while holding it, so the plan follows the sends closely (the stale one stays counted).
    /// </summary>
    private async Task<PacingTicket> AdmitAsync(ReadyQueue queue)
    {
        var controller = _registry.Controller(queue.Provider);
        while (true)
        {
            var claim = controller.Claim();
            if (!claim.Granted)
            {
                PacerLog.Paused(_logger, queue.Key, claim.At);
                await WaitUntilAsync(claim.At).ConfigureAwait(false);
                continue;
            }

            ConnectionLease? lease = null;
            DateTimeOffset slot;
            try
            {
                var (allowed, nextDay) = await _registry.TryConsumeWarmupAsync(queue.Provider).ConfigureAwait(false);
                if (!allowed)
                {
                    controller.Report(DeliveryOutcome.Abandoned, claim.IsProbe);
                    PacerLog.WarmupCapReached(_logger, queue.Key, nextDay);
                    await WaitUntilAsync(nextDay).ConfigureAwait(false);
                    continue;
                }

                slot = await _registry.ClaimSendSlotAsync(queue.Provider, queue.Scope, claim.At, AdaptiveDelay(controller)).ConfigureAwait(false);
                await WaitUntilAsync(slot - queue.Lead.Current).ConfigureAwait(false);
                var acquiring = _registry.AcquireConnectionAsync(queue.Provider, queue.Scope, _stopping);
                if (acquiring.IsCompletedSuccessfully)
                {
                    lease = acquiring.Result;
                }
                else
                {
                    lease = await acquiring.ConfigureAwait(false);
                    if (_time.GetUtcNow() >= slot)
                    {
                        // The slot passed while waiting for the connection: plan from a fresh one, not a stale one.
                        slot = await _registry.ClaimSendSlotAsync(queue.Provider, queue.Scope, _time.GetUtcNow(), AdaptiveDelay(controller)).ConfigureAwait(false);
                        await WaitUntilAsync(slot - queue.Lead.Current).ConfigureAwait(false);
                    }
                }
            }
            catch
            {
                lease?.Dispose();
                controller.Report(DeliveryOutcome.Abandoned, claim.IsProbe);
                throw;
            }

            if (controller.IsVoid(claim))
            {
                // The circuit opened while this slot was awaited: nothing goes during the pause.
                lease.Dispose();
                continue;
            }

            var ceiling = lease.LimitsProvider ? queue.Provider.Value : lease.LimitsDomain ? queue.Key : null;
            var gate = new TransactionGate(_registry, queue.Provider, queue.Scope, slot, queue.Lead, _time);
            var connection = new PacedConnection(queue.Key, lease.MaxMessages, ceiling, lease.LimitsGlobally, lease);
            return new PacingTicket(queue.Provider, claim.IsProbe, lease, connection, gate);
        }
    }

    /// <summary>The controller's current delay, kept between the provider's transactions; zero when adaptive pacing is off.</summary>
    internal static TimeSpan AdaptiveDelay(AdaptiveController controller) =>
        controller.Settings.Enabled ? controller.CurrentDelay : TimeSpan.Zero;

    private Task WaitUntilAsync(DateTimeOffset at) => SlotTimer.WaitUntilAsync(at, _time, _stopping);

    private static bool IsDeliverable(DeliveryJob job)
    {
        lock (job.Message.Sync)
        {
            return !job.Message.Removed && !job.Message.Held;
        }
    }
}
