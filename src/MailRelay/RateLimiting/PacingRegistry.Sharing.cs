using System.Collections.Concurrent;
using MailRelay.RateLimiting.Sharing;

namespace MailRelay.RateLimiting;

/// <summary>
/// The ceilings as delivery asks for them. Without a shared store (no REDIS_URL) each call is the local limiter's,
/// unchanged. With one, send slots, connection places and warm-up counts are taken in Redis for all replicas together;
/// whenever Redis cannot answer, the call is served at once by this replica's share of each ceiling
/// (<see cref="FallbackLimits"/>), which also records the slots this replica got from Redis, so that its recent sends
/// count against its share from the first instant of an outage, and for one interval counts at least its share of
/// them (<see cref="StaticLimiter.KeepSharedCounts"/>). For the longest window plus
/// <see cref="RedisSharedPacing.LeaseLife"/> after Redis is back both apply, because the shared records may have lost
/// what replicas sent alone meanwhile, and a replica not yet back still sends alone.
/// </summary>
public sealed partial class PacingRegistry
{
    private readonly RedisSharedPacing? _shared;
    private readonly ConcurrentDictionary<ProviderKey, WarmupShare> _warmupShares = new();
    private readonly ConnectionShare _connections = new();
    private readonly IdlePlaces? _idle;
    private readonly Lock _fallbackSync = new();
    private StaticLimiter? _fallback;
    private int _fallbackReplicas;

    /// <summary>The replicas' shared store; null when this process paces alone.</summary>
    public RedisSharedPacing? Shared => _shared;

    /// <summary>This replica's share of every ceiling (1/REPLICAS), in force while Redis is unreachable.</summary>
    public StaticLimiter FallbackLimits
    {
        get
        {
            var replicas = _shared?.Replicas ?? 1;
            lock (_fallbackSync)
            {
                if (_fallback is null || _fallbackReplicas != replicas)
                {
                    _fallback = StaticLimiter.FromSettings(_options.RateLimit, Resolver, _time, replicas);
                    _fallbackReplicas = replicas;
                }

                return _fallback;
            }
        }
    }

    /// <summary>
    /// The limiter whose record of transactions begun the transaction gate keeps, and the provider's gap there: this
    /// replica's share (the adaptive delay times the replicas) while Redis is unreachable, and while it settles after
    /// it is back (the shared record does not know what the replicas began alone).
    /// </summary>
    internal (StaticLimiter Limits, TimeSpan ProviderGap) StartCeilings(ProviderKey provider, ProviderKey? domainScope, TimeSpan providerGap)
    {
        if (_shared is not { } shared)
        {
            return (Limits, providerGap);
        }

        return !shared.Available || Settling(shared, SlotScopes(provider, domainScope, providerGap))
            ? (Alone(shared, provider, domainScope), providerGap * shared.Replicas)
            : (Limits, providerGap);
    }

    /// <summary>
    /// Reserves a send slot as <see cref="StaticLimiter.ClaimSendSlot(ProviderKey, ProviderKey?, DateTimeOffset, TimeSpan)"/>
    /// does, for all replicas together when a shared store is configured.
    /// </summary>
    internal ValueTask<DateTimeOffset> ClaimSendSlotAsync(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset notBefore, TimeSpan providerGap) =>
        _shared is null
            ? ValueTask.FromResult(Limits.ClaimSendSlot(provider, domainScope, notBefore, providerGap))
            : ClaimSharedSlotAsync(_shared, provider, domainScope, notBefore, providerGap);

    /// <summary>
    /// After the local transaction gate let a transaction begin: waits until the transactions all replicas began allow
    /// it and records it for them (one script call, then a wait on this replica's timer until the instant it names,
    /// and again only if another replica took that instant). Returns at once without a shared store, or as soon as
    /// Redis cannot answer: then the local gate, on this replica's share, was the whole check.
    /// </summary>
    internal async ValueTask<SharedBegin?> BeginSharedAsync(ProviderKey provider, ProviderKey? domainScope, TimeSpan providerGap, CancellationToken cancellationToken)
    {
        if (_shared is not { Available: true } shared)
        {
            return null;
        }

        var scopes = SlotScopes(provider, domainScope, providerGap);
        if (scopes.Count == 0)
        {
            return null;
        }

        while (true)
        {
            // Taken before asking, so a release reported between the answer and the wait still wakes it.
            var released = shared.NextBegunRelease();
            if (await shared.TryBeginAsync(scopes).ConfigureAwait(false) is not { } answer)
            {
                // Lost while asking: the local gate passed this transaction under the whole ceiling, so it must now
                // pass this replica's share too, unless that was the local gate (after an outage).
                return Settling(shared, scopes) ? null : await BeginAloneAsync(shared, provider, domainScope, providerGap, scopes, cancellationToken).ConfigureAwait(false);
            }

            if (answer.Begun)
            {
                if (!Settling(shared, scopes))
                {
                    // While settling the local gate already recorded it in this replica's share.
                    FallbackLimits.Record(provider, domainScope, answer.NotBefore, started: true);
                }

                return answer;
            }

            // The instant named, or earlier when another replica's held transaction sent its MAIL FROM.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = SlotTimer.WaitUntilAsync(answer.NotBefore, _time, wait.Token);
            await Task.WhenAny(timer, released).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            await timer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// This replica's share, counting for one interval after the last outage the slots Redis gave it before
    /// (<see cref="StaticLimiter.KeepSharedCounts"/>), so the replicas' sum keeps each rate through the outage's start.
    /// </summary>
    private StaticLimiter Alone(RedisSharedPacing shared, ProviderKey provider, ProviderKey? domainScope)
    {
        var share = FallbackLimits;
        if (shared.LastOutage is { } outage)
        {
            share.KeepSharedCounts(provider, domainScope, outage);
        }

        return share;
    }

    /// <summary>Begins a transaction in this replica's share alone, waiting until it allows one; the answer carries no shared record.</summary>
    private async ValueTask<SharedBegin> BeginAloneAsync(
        RedisSharedPacing shared, ProviderKey provider, ProviderKey? domainScope, TimeSpan providerGap, IReadOnlyList<SharedScope> scopes, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Alone(shared, provider, domainScope).TryStartTransaction(provider, domainScope, providerGap * shared.Replicas, out var notBefore))
            {
                return new SharedBegin(true, notBefore, scopes, null);
            }

            await SlotTimer.WaitUntilAsync(notBefore, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The MAIL FROM of a transaction begun under the shared ceilings has left: the others may follow it, and this
    /// replica's share records it at that instant too (it governs the next transaction if Redis is lost now).
    /// </summary>
    internal void SharedMailFromSent(ProviderKey provider, ProviderKey? domainScope, SharedBegin? begun)
    {
        if (begun is not null && _shared is { } shared)
        {
            shared.MailFromSent(begun);
            FallbackLimits.RecordMailFromSent(provider, domainScope, begun.NotBefore, begun.NotBefore, _time.GetUtcNow());
        }
    }

    /// <summary>A connection lease under the ceilings, for all replicas together when a shared store is configured.</summary>
    internal ValueTask<ConnectionLease> AcquireConnectionAsync(ProviderKey provider, ProviderKey? domainScope, CancellationToken cancellationToken) =>
        _shared is null
            ? Limits.AcquireConnectionAsync(provider, domainScope, cancellationToken)
            : AcquireSharedConnectionAsync(_shared, provider, domainScope, cancellationToken);

    /// <summary>
    /// Counts one send against the provider's warm-up cap as <see cref="TryConsumeWarmup"/> does; with a shared store
    /// the day's count is the replicas' together. While Redis is unreachable a replica may send its share of what was
    /// left of the day's cap when it last heard the shared count.
    /// </summary>
    internal ValueTask<(bool Allowed, DateTimeOffset RetryAt)> TryConsumeWarmupAsync(ProviderKey provider)
    {
        if (_shared is null || !WarmupApplies(provider))
        {
            var allowed = TryConsumeWarmup(provider, out var retryAt);
            return ValueTask.FromResult((allowed, retryAt));
        }

        return TryConsumeSharedWarmupAsync(_shared, provider);
    }

    /// <summary>
    /// Feeds an attempt's outcome to the provider's controller; with a shared store, a change of its delay or circuit
    /// (and every rate-limit reply) is published to the other replicas.
    /// </summary>
    internal void Report(ProviderKey provider, DeliveryOutcome outcome, bool wasProbe)
    {
        var controller = Controller(provider);
        if (_shared is null || !controller.Settings.Enabled)
        {
            controller.Report(outcome, wasProbe);
            return;
        }

        var before = (controller.CurrentDelay, controller.State);
        controller.Report(outcome, wasProbe);
        if (outcome == DeliveryOutcome.RateLimited || before != (controller.CurrentDelay, controller.State))
        {
            _shared.Publish(controller, outcome == DeliveryOutcome.RateLimited);
        }
    }

    private async ValueTask<DateTimeOffset> ClaimSharedSlotAsync(
        RedisSharedPacing shared, ProviderKey provider, ProviderKey? domainScope, DateTimeOffset notBefore, TimeSpan providerGap)
    {
        var replicas = shared.Replicas;
        var aloneGap = providerGap * replicas;
        if (!shared.Available)
        {
            return Alone(shared, provider, domainScope).ClaimSendSlot(provider, domainScope, notBefore, aloneGap);
        }

        var scopes = SlotScopes(provider, domainScope, providerGap);
        var from = Limits.ClaimSendSlot(provider, domainScope, notBefore, providerGap);
        if (scopes.Count == 0)
        {
            return from;
        }

        var settling = Settling(shared, scopes);
        if (settling)
        {
            var alone = Alone(shared, provider, domainScope).ClaimSendSlot(provider, domainScope, notBefore, aloneGap);
            from = alone > from ? alone : from;
        }

        var slot = await shared.ReserveAsync("plan", scopes, from).ConfigureAwait(false);
        if (slot is not { } at)
        {
            return settling ? from : Alone(shared, provider, domainScope).ClaimSendSlot(provider, domainScope, notBefore, aloneGap);
        }

        if (!settling)
        {
            FallbackLimits.Record(provider, domainScope, at, started: false);
        }

        return at;
    }

    /// <summary>Places in the shared connection ceilings now kept by idle pooled connections (0 without a shared store).</summary>
    internal int IdlePlaceCount => _idle?.Count ?? 0;

    /// <summary>
    /// A connection lease under the shared ceilings. The places an idle connection of the same pool keeps are taken over
    /// first (the request will most likely reuse that connection), also when one parks while this request waits;
    /// otherwise, with Redis answering, the places are Redis's (and counted here too); without, they are taken in this
    /// replica's share, counting every place it still holds, and recorded to be registered in Redis when it answers
    /// again. For <see cref="RedisSharedPacing.LeaseLife"/> after Redis came back both apply, until every replica has
    /// registered the places it took alone.
    /// </summary>
    private async ValueTask<ConnectionLease> AcquireSharedConnectionAsync(
        RedisSharedPacing shared, ProviderKey provider, ProviderKey? domainScope, CancellationToken cancellationToken)
    {
        var domain = domainScope is { } d && Limits.HasDomainScope(d) ? Limits.LimitsForDomain(d) : null;
        var byProvider = Limits.LimitsFor(provider);
        var scopes = new List<SharedScope>(3);
        if (domain?.MaxConnections is { } domainMax)
        {
            scopes.Add(new SharedScope("d:" + domainScope!.Value.Value, TimeSpan.Zero, null, TimeSpan.Zero, domainMax));
        }

        if (byProvider.MaxConnections is { } providerMax)
        {
            scopes.Add(new SharedScope("p:" + provider.Value, TimeSpan.Zero, null, TimeSpan.Zero, providerMax));
        }

        if (Limits.GlobalLimits.MaxConnections is { } globalMax)
        {
            scopes.Add(new SharedScope("g", TimeSpan.Zero, null, TimeSpan.Zero, globalMax));
        }

        var perConnection = Limits.MaxPerConnection(provider, domainScope);
        var limited = (domain?.MaxConnections is not null, byProvider.MaxConnections is not null, Limits.GlobalLimits.MaxConnections is not null);
        if (scopes.Count == 0)
        {
            return new ConnectionLease(provider, null, null, limited, perConnection);
        }

        var leaseDomain = domain is null ? null : domainScope;
        var poolKey = domainScope is { } scoped ? provider.Value + "|" + scoped.Value : provider.Value;
        var scopeKeys = scopes.ConvertAll(scope => scope.Key);
        while (true)
        {
            if (_idle!.TryAdopt(poolKey) is { } adopted)
            {
                return new ConnectionLease(provider, leaseDomain, adopted.Places, limited, perConnection, (_idle, poolKey, scopeKeys), adopted);
            }

            var parked = _idle.NextParked(poolKey);
            using var acquire = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var acquiring = AcquireSharedPlacesAsync(shared, provider, domainScope, scopes, scopeKeys, poolKey, acquire.Token).AsTask();
            if (!acquiring.IsCompleted && await Task.WhenAny(acquiring, parked).ConfigureAwait(false) != acquiring)
            {
                await acquire.CancelAsync().ConfigureAwait(false);
            }

            try
            {
                var places = await acquiring.ConfigureAwait(false);
                return new ConnectionLease(provider, leaseDomain, places, limited, perConnection, (_idle, poolKey, scopeKeys));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // An idle connection of this pool parked its places first: take them over.
            }
        }
    }

    /// <summary>The places of one connection in <paramref name="scopes"/> (see <see cref="AcquireSharedConnectionAsync"/>).</summary>
    private async ValueTask<IDisposable> AcquireSharedPlacesAsync(
        RedisSharedPacing shared,
        ProviderKey provider,
        ProviderKey? domainScope,
        List<SharedScope> scopes,
        List<string> scopeKeys,
        string poolKey,
        CancellationToken cancellationToken)
    {
        IDisposable? alone = null;
        try
        {
            if (shared.Available)
            {
                if (shared.RecoveredAt is { } recovered && _time.GetUtcNow() < recovered + RedisSharedPacing.LeaseLife)
                {
                    alone = await TakeAloneAsync(shared, provider, domainScope, scopes, poolKey, cancellationToken).ConfigureAwait(false);
                }

                if (await shared.AcquireConnectionAsync(scopes, () => _idle!.MakeRoom(scopeKeys, poolKey), cancellationToken).ConfigureAwait(false) is { } places)
                {
                    return alone is null ? _connections.Count(scopeKeys, places) : new BothPlaces(alone, places);
                }
            }

            alone ??= await TakeAloneAsync(shared, provider, domainScope, scopes, poolKey, cancellationToken).ConfigureAwait(false);
            return new BothPlaces(alone, shared.HoldAlone(scopes));
        }
        catch
        {
            alone?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits for a place in this replica's share of every scope (<see cref="AloneCeilings"/>), closing meanwhile an idle
    /// connection of another pool that holds one.
    /// </summary>
    private async ValueTask<IDisposable> TakeAloneAsync(
        RedisSharedPacing shared, ProviderKey provider, ProviderKey? domainScope, List<SharedScope> scopes, string poolKey, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (ceilings, rises) = AloneCeilings(shared, provider, domainScope, scopes);
            if (_connections.TryTake(ceilings, out var released) is { } places)
            {
                return places;
            }

            _idle!.MakeRoom(ceilings.ConvertAll(ceiling => ceiling.Key), poolKey);

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = rises is { } at ? SlotTimer.WaitUntilAsync(at, _time, wait.Token) : Task.Delay(Timeout.InfiniteTimeSpan, _time, wait.Token);
            await Task.WhenAny(released, timer).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            await timer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// This replica's ceiling in each scope when it keeps the connection ceilings alone: its share (maxConnections /
    /// replicas, at least 1), less, for <see cref="RedisSharedPacing.LeaseLife"/> after Redis was lost, what the other
    /// replicas may hold above their shares through places Redis gave them before (the ceiling, less what this replica
    /// held then, less one share: the most one other replica can be over). Counting its own places against its share
    /// and keeping room for the others' excess, the replicas together stay within the ceiling while those places
    /// close. Returns when the ceilings rise (the end of that time), or null.
    /// </summary>
    private (List<(string Key, int Ceiling)> Ceilings, DateTimeOffset? Rises) AloneCeilings(
        RedisSharedPacing shared, ProviderKey provider, ProviderKey? domainScope, List<SharedScope> scopes)
    {
        var share = FallbackLimits;
        var outage = shared.LastOutage;
        var draining = outage is { } start && _time.GetUtcNow() < start + RedisSharedPacing.LeaseLife;
        var ceilings = new List<(string Key, int Ceiling)>(scopes.Count);
        foreach (var scope in scopes)
        {
            var limits = scope.Key[0] switch
            {
                'd' => share.LimitsForDomain(domainScope!.Value),
                'p' => share.LimitsFor(provider),
                _ => share.GlobalLimits,
            };
            var ceiling = limits.MaxConnections ?? scope.MaxConnections!.Value;
            if (draining)
            {
                ceiling -= Math.Max(0, scope.MaxConnections!.Value - _connections.HeldAtOutage(scope.Key, outage!.Value) - ceiling);
            }

            ceilings.Add((scope.Key, ceiling));
        }

        return (ceilings, draining ? outage!.Value + RedisSharedPacing.LeaseLife : null);
    }

    private async ValueTask<(bool Allowed, DateTimeOffset RetryAt)> TryConsumeSharedWarmupAsync(RedisSharedPacing shared, ProviderKey provider)
    {
        var now = _time.GetUtcNow();
        if (_warmupSchedule!.CapOn(now) is not { } cap)
        {
            return (true, now);
        }

        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var share = _warmupShares.GetOrAdd(provider, _ => new WarmupShare());
        if (shared.Available && await shared.TryConsumeWarmupAsync(provider, day, cap).ConfigureAwait(false) is { } counted)
        {
            share.Heard(day, counted.Sent);
            WarmupFor(provider).Restore(new WarmupCounterState(day, counted.Sent));
            return (counted.Counted, counted.Counted ? now : WarmupSchedule.NextDayStart(now));
        }

        return share.TryConsumeAlone(day, cap, shared.Replicas) ? (true, now) : (false, WarmupSchedule.NextDayStart(now));
    }

    /// <summary>The scopes that pace send slots: global, the provider's (its gap at least the adaptive delay), the custom domain's.</summary>
    private List<SharedScope> SlotScopes(ProviderKey provider, ProviderKey? domainScope, TimeSpan providerGap)
    {
        var scopes = new List<SharedScope>(3);
        Add(scopes, "g", Limits.GlobalLimits, TimeSpan.Zero);
        Add(scopes, "p:" + provider.Value, Limits.LimitsFor(provider), providerGap);
        if (domainScope is { } domain && Limits.HasDomainScope(domain))
        {
            Add(scopes, "d:" + domain.Value, Limits.LimitsForDomain(domain), TimeSpan.Zero);
        }

        return scopes;

        static void Add(List<SharedScope> scopes, string key, StaticLimits limits, TimeSpan extraGap)
        {
            var gap = limits.MinimumDelay > extraGap ? limits.MinimumDelay : extraGap;
            var scope = new SharedScope(key, gap, limits.RateCount, limits.RateInterval, limits.MaxConnections);
            if (scope.PacesSlots)
            {
                scopes.Add(scope);
            }
        }
    }

    private bool Settling(RedisSharedPacing shared, IReadOnlyList<SharedScope> scopes) =>
        shared.RecoveredAt is { } recovered && _time.GetUtcNow() < recovered + SettleTime(scopes, shared.Replicas);

    /// <summary>
    /// How long after an outage this replica's share still applies: the longest window or share gap it could still
    /// constrain, and at least the longest window plus <see cref="RedisSharedPacing.LeaseLife"/>, the time every replica
    /// is given to reach Redis again (as for connection places). Until the last replica is back, Redis does not know what
    /// it sends alone; a replica that used Redis alone before then could take the whole ceiling beside it.
    /// </summary>
    private static TimeSpan SettleTime(IReadOnlyList<SharedScope> scopes, int replicas)
    {
        var settle = TimeSpan.Zero;
        var longest = TimeSpan.Zero;
        foreach (var scope in scopes)
        {
            var window = scope.RateCount is null ? TimeSpan.Zero : scope.RateInterval;
            var span = window > scope.Gap ? window : scope.Gap;
            longest = span > longest ? span : longest;
            settle = span * replicas > settle ? span * replicas : settle;
        }

        var reconnect = longest + RedisSharedPacing.LeaseLife;
        return reconnect > settle ? reconnect : settle;
    }

    /// <summary>Places taken in this replica's share and in Redis for one connection, given back together.</summary>
    private sealed class BothPlaces(IDisposable alone, IDisposable shared) : IDisposable
    {
        public void Dispose()
        {
            alone.Dispose();
            shared.Dispose();
        }
    }
}
