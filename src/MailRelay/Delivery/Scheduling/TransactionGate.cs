using MailRelay.RateLimiting;
using MailRelay.RateLimiting.Sharing;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// The start of one paced job's transaction. The pacer reserved the job's send slot (adaptive slot, warm-up count,
/// static slot) and handed the job over shortly before it; the worker connects (or resets a pooled connection) and
/// comes here just before MAIL FROM. The gate waits for the reserved slot, then until the instants at which the
/// provider's (and the global and custom-domain) transactions really began allow this one — <c>rate</c>,
/// <c>delayMs</c> and the adaptive controller's current delay — and records that it begins now. So a slow setup of
/// one connection never shortens the gap to the next transaction, which may use a connection ready at once.
/// </summary>
internal sealed class TransactionGate : ITransactionGate
{
    private readonly PacingRegistry _registry;
    private readonly ProviderKey _provider;
    private readonly ProviderKey? _scope;
    private readonly ConnectLead _lead;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _handedAt;
    private int _opened;
    private StaticLimiter? _limits;
    private SharedBegin? _shared;
    private DateTimeOffset? _startedAt;

    public TransactionGate(
        PacingRegistry registry, ProviderKey provider, ProviderKey? scope, DateTimeOffset slot, ConnectLead lead, TimeProvider time)
    {
        _registry = registry;
        _provider = provider;
        _scope = scope;
        Slot = slot;
        _lead = lead;
        _time = time;
        _handedAt = time.GetUtcNow();
    }

    /// <summary>The reserved send slot: the transaction begins no earlier.</summary>
    public DateTimeOffset Slot { get; }

    public async ValueTask WaitToStartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _opened, 1) != 0)
        {
            throw new InvalidOperationException("A paced request starts one transaction; its gate opens once.");
        }

        _lead.Observe(_time.GetUtcNow() - _handedAt);
        await SlotTimer.WaitUntilAsync(Slot, _time, cancellationToken).ConfigureAwait(false);
        var controller = _registry.Controller(_provider);
        while (true)
        {
            var (limits, gap) = _registry.StartCeilings(_provider, _scope, ProviderPacer.AdaptiveDelay(controller));
            if (limits.TryStartTransaction(_provider, _scope, gap, out var notBefore))
            {
                _limits = limits;
                _startedAt = notBefore;
                break;
            }

            await SlotTimer.WaitUntilAsync(notBefore, _time, cancellationToken).ConfigureAwait(false);
        }

        // With replicas sharing the provider: until their transactions together allow this one (usually at once).
        _shared = await _registry.BeginSharedAsync(_provider, _scope, ProviderPacer.AdaptiveDelay(controller), cancellationToken).ConfigureAwait(false);
    }

    public void MailFromSent()
    {
        _registry.SharedMailFromSent(_provider, _scope, _shared);
        if (_startedAt is { } started && _limits is { } limits)
        {
            var sent = _time.GetUtcNow();
            limits.RecordMailFromSent(_provider, _scope, Slot, started, sent);
        }
    }
}
