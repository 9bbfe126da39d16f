namespace MailRelay.RateLimiting;

/// <summary>
/// Adaptive pacing for one provider, under the static ceilings. Rate-limit replies multiply the delay by the
/// backoff multiplier up to the maximum; every run of <c>successThreshold</c> accepted messages multiplies it by the
/// recovery rate down to the minimum, but only as far as just above the delay where the provider last refused, where
/// it holds before edging past it (<see cref="AdaptiveControllerPace"/>). <c>circuitBreakerThreshold</c> rate-limit
/// replies in a row open the circuit: nothing is attempted for <c>circuitBreakerDuration</c>, then exactly one probe
/// goes; its acceptance closes the circuit and another rate-limit reply re-opens it. Concurrent callers claim successive slots
/// (<c>slot = max(now, lastSlot + delay)</c>), so they never release a burst.
/// </summary>
public sealed class AdaptiveController
{
    /// <summary>How long a claim waits for the half-open circuit's probe to end before asking again, at least.</summary>
    private static readonly TimeSpan ProbeRecheck = TimeSpan.FromSeconds(1);

    private readonly AdaptiveSettings _settings;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly AdaptiveControllerPace _pace;
    private DateTimeOffset? _lastSlot;
    private DateTimeOffset? _openUntil;
    private bool _probeInFlight;
    private int _successStreak;
    private int _rateLimitStreak;
    private long _trips;
    private long _rateLimited;
    private long _pacedWaits;
    private long _sends;
    private long _version;

    public AdaptiveController(ProviderKey provider, AdaptiveSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        Provider = provider;
        _settings = settings;
        _time = time;
        _pace = new AdaptiveControllerPace(settings);
    }

    public ProviderKey Provider { get; }

    public AdaptiveSettings Settings => _settings;

    /// <summary>Grows with every change of state, so a saver can tell whether there is anything new to write.</summary>
    public long Version
    {
        get
        {
            lock (_sync)
            {
                return _version;
            }
        }
    }

    public TimeSpan CurrentDelay
    {
        get
        {
            lock (_sync)
            {
                return _pace.Delay;
            }
        }
    }

    /// <summary>The delay at the last rate-limit reply, while the controller remembers it (null otherwise).</summary>
    public TimeSpan? LimitDelay
    {
        get
        {
            lock (_sync)
            {
                return _pace.LimitDelay;
            }
        }
    }

    public CircuitState State
    {
        get
        {
            lock (_sync)
            {
                return StateAt(_time.GetUtcNow());
            }
        }
    }

    /// <summary>Reserves the next send slot, or says until when the provider is paused.</summary>
    public SlotClaim Claim()
    {
        var now = _time.GetUtcNow();
        if (!_settings.Enabled)
        {
            return SlotClaim.Slot(now, isProbe: false);
        }

        lock (_sync)
        {
            _version++;
            switch (StateAt(now))
            {
                case CircuitState.Open:
                    return SlotClaim.Deferred(_openUntil!.Value);
                case CircuitState.HalfOpen when _probeInFlight:
                    return SlotClaim.Deferred(now + (_pace.Delay > ProbeRecheck ? _pace.Delay : ProbeRecheck));
                case CircuitState.HalfOpen:
                    _probeInFlight = true;
                    return SlotClaim.Slot(NextSlot(now), isProbe: true, _trips);
                default:
                    return SlotClaim.Slot(NextSlot(now), isProbe: false, _trips);
            }
        }
    }

    /// <summary>
    /// Claims a slot and waits for it on one timer. If the circuit opened while waiting, the slot is given up and a
    /// deferral returned instead, so nothing is attempted during the pause.
    /// </summary>
    public async ValueTask<SlotClaim> ClaimAndWaitAsync(CancellationToken cancellationToken)
    {
        var claim = Claim();
        if (!claim.Granted)
        {
            return claim;
        }

        try
        {
            await SlotTimer.WaitUntilAsync(claim.At, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Report(DeliveryOutcome.Abandoned, claim.IsProbe);
            throw;
        }

        lock (_sync)
        {
            if (IsVoidLocked(claim))
            {
                return SlotClaim.Deferred(_openUntil ?? _time.GetUtcNow());
            }
        }

        return claim;
    }

    /// <summary>
    /// Whether a granted slot was voided while it was awaited: the circuit opened since (and has not closed again),
    /// so nothing may be sent in it. The circuit's own probe is never void.
    /// </summary>
    public bool IsVoid(SlotClaim claim)
    {
        lock (_sync)
        {
            return IsVoidLocked(claim);
        }
    }

    private bool IsVoidLocked(SlotClaim claim) =>
        claim.Granted && !claim.IsProbe && _trips != claim.Trips && StateAt(_time.GetUtcNow()) != CircuitState.Closed;

    /// <summary>Feeds the result of an attempt made in a claimed slot back into the controller.</summary>
    public void Report(DeliveryOutcome outcome, bool wasProbe)
    {
        if (!_settings.Enabled)
        {
            return;
        }

        lock (_sync)
        {
            _version++;
            var now = _time.GetUtcNow();
            switch (outcome)
            {
                case DeliveryOutcome.Accepted:
                    _sends++;
                    OnAccepted(wasProbe);
                    break;
                case DeliveryOutcome.RateLimited:
                    _rateLimited++;
                    OnRateLimited(wasProbe, now);
                    break;
                default:
                    // Neither speeds up nor slows down; a probe that did not reach a verdict lets another one go.
                    if (wasProbe)
                    {
                        _probeInFlight = false;
                    }

                    break;
            }
        }
    }

    public AdaptiveSnapshot Snapshot()
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow();
            return new AdaptiveSnapshot(Provider, _pace.Delay, StateAt(now), StateAt(now) == CircuitState.Open ? _openUntil : null, _trips, _rateLimited, _pacedWaits, _sends);
        }
    }

    /// <summary>The state to persist.</summary>
    public AdaptiveControllerState ExportState()
    {
        lock (_sync)
        {
            return new AdaptiveControllerState(_pace.Delay, _openUntil, _successStreak, _rateLimitStreak, _trips, _rateLimited, _pacedWaits, _sends)
            {
                LimitDelay = _pace.LimitDelay,
                HoldDelay = _pace.HoldDelay,
                GoodDelay = _pace.GoodDelay,
                HeldRuns = _pace.HeldRuns,
            };
        }
    }

    /// <summary>
    /// Takes over a persisted state. The delay is pulled inside this controller's bounds (the configuration may have
    /// changed since); no probe is in flight and no slot is reserved, because those belonged to the earlier process.
    /// </summary>
    public void Restore(AdaptiveControllerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_sync)
        {
            _version++;
            _pace.Restore(state.Delay, state.LimitDelay, state.HoldDelay, state.GoodDelay, state.HeldRuns);
            _openUntil = state.OpenUntil;
            _successStreak = Math.Max(0, state.SuccessStreak);
            _rateLimitStreak = Math.Max(0, state.RateLimitStreak);
            _trips = Math.Max(0, state.Trips);
            _rateLimited = Math.Max(0, state.RateLimitedReplies);
            _pacedWaits = Math.Max(0, state.PacedWaits);
            _sends = Math.Max(0, state.Sends);
            _probeInFlight = false;
            _lastSlot = null;
        }
    }

    /// <summary>
    /// Takes over the state another replica published (shared pacing): its delay, its memory of the limit, its circuit
    /// and its streaks. Unlike <see cref="Restore"/> this process's reserved slot, its probe and its own counters stay:
    /// they are this replica's. A circuit that opens here by adoption voids the slots granted before, as a trip does.
    /// </summary>
    public void Adopt(AdaptiveControllerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_sync)
        {
            var now = _time.GetUtcNow();
            var opens = state.OpenUntil is { } until && until > now && StateAt(now) != CircuitState.Open;
            _version++;
            _pace.Restore(state.Delay, state.LimitDelay, state.HoldDelay, state.GoodDelay, state.HeldRuns);
            _openUntil = state.OpenUntil;
            _successStreak = Math.Max(0, state.SuccessStreak);
            _rateLimitStreak = Math.Max(0, state.RateLimitStreak);
            if (opens)
            {
                _trips = Math.Max(_trips + 1, state.Trips);
                _lastSlot = null;
            }

            if (_openUntil is null)
            {
                _probeInFlight = false;
            }
        }
    }

    /// <summary>Back to the initial state: initial delay, circuit closed, counters at zero (an operator's reset).</summary>
    public void Reset() => Restore(new AdaptiveControllerState(_settings.BoundedInitialDelay, null, 0, 0, 0, 0, 0, 0));

    private void OnAccepted(bool wasProbe)
    {
        _rateLimitStreak = 0;
        if (wasProbe)
        {
            _probeInFlight = false;
            _openUntil = null;
        }

        if (++_successStreak >= _settings.SuccessThreshold)
        {
            _successStreak = 0;
            _pace.OnRun();
        }
    }

    private void OnRateLimited(bool wasProbe, DateTimeOffset now)
    {
        _successStreak = 0;
        _pace.OnRateLimited(now, _lastSlot);
        var state = StateAt(now);
        if (wasProbe)
        {
            _probeInFlight = false;
            Open(now);
        }
        else if (state == CircuitState.Closed && ++_rateLimitStreak >= _settings.CircuitBreakerThreshold)
        {
            Open(now);
        }
    }

    private void Open(DateTimeOffset now)
    {
        _trips++;
        _rateLimitStreak = 0;
        _openUntil = now + _settings.CircuitBreakerDuration;
        _pace.OnOpen();

        // Slots handed out before the trip are void; the probe after the pause must not queue behind them.
        _lastSlot = null;
    }

    private DateTimeOffset NextSlot(DateTimeOffset now)
    {
        var delay = _pace.Delay;
        var slot = _lastSlot is { } last && last + delay > now ? last + delay : now;
        if (slot > now)
        {
            _pacedWaits++;
        }

        _lastSlot = slot;
        return slot;
    }

    private CircuitState StateAt(DateTimeOffset now) => _openUntil switch
    {
        null => CircuitState.Closed,
        { } until when now < until => CircuitState.Open,
        _ => CircuitState.HalfOpen,
    };
}
