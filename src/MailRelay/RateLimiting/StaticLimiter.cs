using System.Collections.Concurrent;
using System.Text.Json;
using MailRelay.Configuration;

namespace MailRelay.RateLimiting;

/// <summary>
/// The hard ceilings globally, per provider and per configured custom domain: concurrent connections, messages per
/// connection, N per interval and the minimum gap between messages. Connection slots are semaphores; send slots
/// are reserved in time under one lock per gate, so no number of concurrent workers can exceed a ceiling.
/// </summary>
public sealed class StaticLimiter
{
    private readonly TimeProvider _time;
    private readonly Scope _global;
    private readonly IReadOnlyDictionary<ProviderKey, StaticLimits> _configured;
    private readonly ConcurrentDictionary<ProviderKey, Scope> _providers = new();
    private readonly Dictionary<ProviderKey, Scope> _domains;

    public StaticLimiter(StaticLimits global, IReadOnlyDictionary<ProviderKey, StaticLimits> providers, TimeProvider time)
        : this(global, providers, new Dictionary<ProviderKey, StaticLimits>(), time)
    {
    }

    /// <param name="customDomains">Limits keyed by an exact recipient domain, not mapped to a provider.</param>
    public StaticLimiter(
        StaticLimits global,
        IReadOnlyDictionary<ProviderKey, StaticLimits> providers,
        IReadOnlyDictionary<ProviderKey, StaticLimits> customDomains,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(customDomains);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _global = new Scope(global.Enabled ? global : StaticLimits.None);
        _configured = providers;

        // Only configured domains get a scope: recipient domains are unbounded, configured ones are not.
        _domains = customDomains
            .Where(entry => entry.Value.Enabled)
            .ToDictionary(entry => entry.Key, entry => new Scope(entry.Value));
    }

    /// <summary>
    /// Builds the limiter from configuration. Domain keys are mapped to their provider (<c>gmail.com</c> configures
    /// <c>google.com</c>); when several map to one provider the stricter value of each key wins. Custom domains are
    /// kept by their exact name.
    /// </summary>
    public static StaticLimiter FromSettings(RateLimitSettings settings, ProviderResolver resolver, TimeProvider time) =>
        FromSettings(settings, resolver, time, 1);

    /// <summary>
    /// Builds the limiter of one replica's share (<see cref="StaticLimits.ShareOf"/>) when <paramref name="replicas"/>
    /// keep the configured ceilings together without a shared store.
    /// </summary>
    public static StaticLimiter FromSettings(RateLimitSettings settings, ProviderResolver resolver, TimeProvider time, int replicas)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resolver);
        if (!settings.Enabled)
        {
            return new StaticLimiter(StaticLimits.None, new Dictionary<ProviderKey, StaticLimits>(), time);
        }

        var providers = new Dictionary<ProviderKey, StaticLimits>();
        if (settings.Domains.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in settings.Domains.EnumerateObject())
            {
                var key = resolver.ForDomain(entry.Name);
                var limits = StaticLimits.FromJson(entry.Value).ShareOf(replicas);
                providers[key] = providers.TryGetValue(key, out var existing) ? existing.Tighten(limits) : limits;
            }
        }

        var domains = new Dictionary<ProviderKey, StaticLimits>();
        if (settings.CustomDomains.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in settings.CustomDomains.EnumerateObject())
            {
                domains[CustomDomainKey(entry.Name)] = StaticLimits.FromJson(entry.Value).ShareOf(replicas);
            }
        }

        return new StaticLimiter(StaticLimits.FromJson(settings.Global).ShareOf(replicas), providers, domains, time);
    }

    /// <summary>The key of a custom-domain scope: the exact recipient domain, lower case, without a trailing dot.</summary>
    public static ProviderKey CustomDomainKey(string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        return new ProviderKey(domain.Trim().TrimEnd('.'));
    }

    /// <summary>The custom domains that have limits of their own.</summary>
    public IReadOnlyCollection<ProviderKey> CustomDomains => _domains.Keys;

    /// <summary>True when <paramref name="domainScope"/> has limits of its own.</summary>
    public bool HasDomainScope(ProviderKey domainScope) => _domains.ContainsKey(domainScope);

    /// <summary>The global ceilings.</summary>
    public StaticLimits GlobalLimits => _global.Limits;

    /// <summary>Messages one connection may carry under the global, the provider's and the custom domain's ceilings; null = unlimited.</summary>
    public int? MaxPerConnection(ProviderKey provider, ProviderKey? domainScope) =>
        Min(Min(ScopeFor(provider).Limits.MaxPerConnection, _global.Limits.MaxPerConnection), DomainScopeFor(domainScope)?.Limits.MaxPerConnection);

    /// <summary>The ceilings in force for <paramref name="provider"/> (its own, not the global ones).</summary>
    public StaticLimits LimitsFor(ProviderKey provider) => ScopeFor(provider).Limits;

    /// <summary>The ceilings of a custom domain; <see cref="StaticLimits.None"/> when it has none.</summary>
    public StaticLimits LimitsForDomain(ProviderKey domainScope) =>
        _domains.TryGetValue(domainScope, out var scope) ? scope.Limits : StaticLimits.None;

    /// <summary>Waits for a connection slot in the provider's pool and then in the global pool.</summary>
    public ValueTask<ConnectionLease> AcquireConnectionAsync(ProviderKey provider, CancellationToken cancellationToken) =>
        AcquireConnectionAsync(provider, null, cancellationToken);

    /// <summary>
    /// Waits for a connection slot in the custom domain's pool (when it has one), the provider's and the global one.
    /// Pools are taken narrowest first, so a worker never sits on a shared global slot while it waits for a narrow
    /// one; every caller takes them in that same order, so waiting cannot deadlock.
    /// </summary>
    public async ValueTask<ConnectionLease> AcquireConnectionAsync(ProviderKey provider, ProviderKey? domainScope, CancellationToken cancellationToken)
    {
        var scope = ScopeFor(provider);
        var domain = DomainScopeFor(domainScope);
        var taken = new List<SemaphoreSlim>(3);
        try
        {
            foreach (var pool in new[] { domain?.Connections, scope.Connections, _global.Connections })
            {
                if (pool is not null)
                {
                    await pool.WaitAsync(cancellationToken).ConfigureAwait(false);
                    taken.Add(pool);
                }
            }
        }
        catch
        {
            foreach (var pool in taken)
            {
                pool.Release();
            }

            throw;
        }

        var perConnection = Min(Min(scope.Limits.MaxPerConnection, _global.Limits.MaxPerConnection), domain?.Limits.MaxPerConnection);
        return new ConnectionLease(provider, domain is null ? null : domainScope, domain?.Connections, scope.Connections, _global.Connections, perConnection);
    }

    /// <summary>
    /// Reserves the earliest send time at or after <paramref name="notBefore"/> (and now) that keeps the provider's
    /// and the global rate and gap. The reservation counts even if the caller then gives up.
    /// </summary>
    public DateTimeOffset ClaimSendSlot(ProviderKey provider, DateTimeOffset notBefore) => ClaimSendSlot(provider, null, notBefore);

    /// <summary>
    /// Reserves the earliest send time at or after <paramref name="notBefore"/> (and now) that keeps the global, the
    /// provider's and (when it has limits) the custom domain's rate and gap, all at once.
    /// </summary>
    public DateTimeOffset ClaimSendSlot(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset notBefore) =>
        ClaimSendSlot(provider, domainScope, notBefore, TimeSpan.Zero);

    /// <summary>
    /// Reserves a send slot as <see cref="ClaimSendSlot(ProviderKey, ProviderKey?, DateTimeOffset)"/> does, also at
    /// least <paramref name="providerGap"/> (the adaptive delay) after the provider's last slot, so the plan follows
    /// transactions that began late (<see cref="RecordMailFromSent"/>).
    /// </summary>
    public DateTimeOffset ClaimSendSlot(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset notBefore, TimeSpan providerGap)
    {
        var scope = ScopeFor(provider);
        var domain = DomainScopeFor(domainScope);
        var now = _time.GetUtcNow();
        var from = notBefore > now ? notBefore : now;

        // Always global, then provider, then domain: one lock order for every caller.
        lock (_global.Gate.Sync)
        {
            lock (scope.Gate.Sync)
            {
                if (domain is null)
                {
                    return Reserve(from, providerGap, _global.Gate, scope.Gate, null);
                }

                lock (domain.Gate.Sync)
                {
                    return Reserve(from, providerGap, _global.Gate, scope.Gate, domain.Gate);
                }
            }
        }
    }

    /// <summary>Claims a send slot and waits for it on the time provider's timer.</summary>
    public ValueTask<DateTimeOffset> WaitForSendSlotAsync(ProviderKey provider, CancellationToken cancellationToken) =>
        WaitForSendSlotAsync(provider, null, cancellationToken);

    /// <summary>Claims a send slot (with an optional custom-domain scope) and waits for it on the time provider's timer.</summary>
    public async ValueTask<DateTimeOffset> WaitForSendSlotAsync(ProviderKey provider, ProviderKey? domainScope, CancellationToken cancellationToken)
    {
        var slot = ClaimSendSlot(provider, domainScope, DateTimeOffset.MinValue);
        await SlotTimer.WaitUntilAsync(slot, _time, cancellationToken).ConfigureAwait(false);
        return slot;
    }

    /// <summary>
    /// Begins a transaction now if the instants at which the last transactions of the global, the provider's and (when
    /// it has limits) the custom domain's scope really began allow it: <c>rate</c>, <c>delayMs</c> and, for the
    /// provider, <paramref name="providerGap"/> (the adaptive delay) all hold between those instants and now. Then
    /// now is recorded in every scope, returned in <paramref name="notBefore"/>, and true returned; otherwise nothing is
    /// recorded and <paramref name="notBefore"/> says when to ask again. Reserved slots (<see cref="ClaimSendSlot(ProviderKey, ProviderKey?, DateTimeOffset)"/>)
    /// plan when to connect; this keeps the gaps between MAIL FROMs themselves, whatever connecting took.
    /// </summary>
    public bool TryStartTransaction(ProviderKey provider, ProviderKey? domainScope, TimeSpan providerGap, out DateTimeOffset notBefore)
    {
        var scope = ScopeFor(provider);
        var domain = DomainScopeFor(domainScope);
        var now = _time.GetUtcNow();

        // The same lock order as ClaimSendSlot: global, then provider, then domain.
        lock (_global.Started.Sync)
        {
            lock (scope.Started.Sync)
            {
                if (domain is null)
                {
                    return Start(now, providerGap, _global.Started, scope.Started, null, out notBefore);
                }

                lock (domain.Started.Sync)
                {
                    return Start(now, providerGap, _global.Started, scope.Started, domain.Started, out notBefore);
                }
            }
        }
    }

    /// <summary>
    /// Records that the MAIL FROM of a transaction begun at <paramref name="started"/> (by
    /// <see cref="TryStartTransaction"/>) on the slot <paramref name="reserved"/> left at <paramref name="sent"/>: the
    /// record of when it began moves to that instant, so the next transaction keeps its gap to the MAIL FROM itself
    /// however long our side took to write it; and the reserved slot moves there too when it is later, so slots
    /// reserved from now on plan from the transactions as they happened.
    /// </summary>
    public void RecordMailFromSent(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset reserved, DateTimeOffset started, DateTimeOffset sent)
    {
        var scope = ScopeFor(provider);
        var domain = DomainScopeFor(domainScope);
        Restamp(started, sent, _global.Started, scope.Started, domain?.Started);
        Restamp(reserved, sent, _global.Gate, scope.Gate, domain?.Gate);
    }

    /// <summary>
    /// Records a slot decided elsewhere (by the replicas' shared store) as this limiter's own, in the reserved slots or,
    /// with <paramref name="started"/>, in the transactions begun, without holding it to this limiter's ceilings: so
    /// this replica's share counts its recent sends when it has to pace alone.
    /// </summary>
    public void Record(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset slot, bool started)
    {
        var scope = ScopeFor(provider);
        var domain = DomainScopeFor(domainScope);
        var gates = started ? new[] { _global.Started, scope.Started, domain?.Started } : [_global.Gate, scope.Gate, domain?.Gate];
        foreach (var gate in gates)
        {
            if (gate is not null)
            {
                lock (gate.Sync)
                {
                    gate.Commit(slot);
                }
            }
        }
    }

    /// <summary>
    /// Applies <see cref="SendGate.KeepSharedCount"/> for the outage that began at <paramref name="outage"/> to the
    /// global, the provider's and the custom domain's reserved slots and transactions begun: this limiter is a replica's
    /// share, and the slots Redis gave it before the outage are what it may count on in the interval after.
    /// </summary>
    public void KeepSharedCounts(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset outage)
    {
        var scope = ScopeFor(provider);
        var domain = DomainScopeFor(domainScope);
        foreach (var gate in new[] { _global.Gate, scope.Gate, domain?.Gate, _global.Started, scope.Started, domain?.Started })
        {
            if (gate is not null)
            {
                lock (gate.Sync)
                {
                    gate.KeepSharedCount(outage);
                }
            }
        }
    }

    private static void Restamp(DateTimeOffset recorded, DateTimeOffset actual, SendGate global, SendGate provider, SendGate? domain)
    {
        lock (global.Sync)
        {
            lock (provider.Sync)
            {
                global.Restamp(recorded, actual);
                provider.Restamp(recorded, actual);
                if (domain is not null)
                {
                    lock (domain.Sync)
                    {
                        domain.Restamp(recorded, actual);
                    }
                }
            }
        }
    }

    private static bool Start(DateTimeOffset now, TimeSpan providerGap, SendGate global, SendGate provider, SendGate? domain, out DateTimeOffset notBefore)
    {
        notBefore = global.Earliest(now);
        var byProvider = provider.Earliest(now, providerGap);
        if (byProvider > notBefore)
        {
            notBefore = byProvider;
        }

        if (domain?.Earliest(now) is { } byDomain && byDomain > notBefore)
        {
            notBefore = byDomain;
        }

        if (notBefore > now)
        {
            return false;
        }

        notBefore = now;
        global.Commit(now);
        provider.Commit(now);
        domain?.Commit(now);
        return true;
    }

    /// <summary>The first instant every gate allows; each gate only ever moves it later, so this settles.</summary>
    private static DateTimeOffset Reserve(DateTimeOffset from, TimeSpan providerGap, SendGate global, SendGate provider, SendGate? domain)
    {
        var slot = from;
        while (true)
        {
            var next = global.Earliest(slot);
            next = provider.Earliest(next, providerGap);
            if (domain is not null)
            {
                next = domain.Earliest(next);
            }

            if (next == slot)
            {
                break;
            }

            slot = next;
        }

        global.Commit(slot);
        provider.Commit(slot);
        domain?.Commit(slot);
        return slot;
    }

    private Scope ScopeFor(ProviderKey provider) =>
        _providers.GetOrAdd(provider, key => new Scope(_configured.TryGetValue(key, out var limits) && limits.Enabled ? limits : StaticLimits.None));

    private Scope? DomainScopeFor(ProviderKey? domainScope) =>
        domainScope is { } key && _domains.TryGetValue(key, out var scope) ? scope : null;

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private sealed class Scope
    {
        public Scope(StaticLimits limits)
        {
            Limits = limits;
            Gate = new SendGate(limits);
            Started = new SendGate(limits);
            Connections = limits.MaxConnections is { } max ? new SemaphoreSlim(max, max) : null;
        }

        public StaticLimits Limits { get; }

        /// <summary>Reserved send slots: the pacer's plan.</summary>
        public SendGate Gate { get; }

        /// <summary>The instants transactions really began.</summary>
        public SendGate Started { get; }

        public SemaphoreSlim? Connections { get; }
    }
}
