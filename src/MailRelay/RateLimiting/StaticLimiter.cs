using System.Collections.Concurrent;
using System.Text.Json;
using MailRelay.Configuration;

namespace MailRelay.RateLimiting;

/// <summary>
/// The hard ceilings per provider and globally: concurrent connections, messages per connection, N per interval
/// and the minimum gap between messages. Connection slots are semaphores; send slots are reserved in time under
/// one lock per gate, so no number of concurrent workers can exceed a ceiling.
/// </summary>
public sealed class StaticLimiter
{
    private readonly TimeProvider _time;
    private readonly Scope _global;
    private readonly IReadOnlyDictionary<ProviderKey, StaticLimits> _configured;
    private readonly ConcurrentDictionary<ProviderKey, Scope> _providers = new();

    public StaticLimiter(StaticLimits global, IReadOnlyDictionary<ProviderKey, StaticLimits> providers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _global = new Scope(global.Enabled ? global : StaticLimits.None);
        _configured = providers;
    }

    /// <summary>
    /// Builds the limiter from configuration. Domain keys are mapped to their provider (<c>gmail.com</c> configures
    /// <c>google.com</c>); when several map to one provider the stricter value of each key wins.
    /// </summary>
    public static StaticLimiter FromSettings(RateLimitSettings settings, ProviderResolver resolver, TimeProvider time)
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
                var limits = StaticLimits.FromJson(entry.Value);
                providers[key] = providers.TryGetValue(key, out var existing) ? existing.Tighten(limits) : limits;
            }
        }

        return new StaticLimiter(StaticLimits.FromJson(settings.Global), providers, time);
    }

    /// <summary>The ceilings in force for <paramref name="provider"/> (its own, not the global ones).</summary>
    public StaticLimits LimitsFor(ProviderKey provider) => ScopeFor(provider).Limits;

    /// <summary>Waits for a connection slot in the provider's pool and then in the global pool.</summary>
    public async ValueTask<ConnectionLease> AcquireConnectionAsync(ProviderKey provider, CancellationToken cancellationToken)
    {
        var scope = ScopeFor(provider);
        if (scope.Connections is { } own)
        {
            await own.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (_global.Connections is { } shared)
            {
                await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            scope.Connections?.Release();
            throw;
        }

        var perConnection = Min(scope.Limits.MaxPerConnection, _global.Limits.MaxPerConnection);
        return new ConnectionLease(provider, scope.Connections, _global.Connections, perConnection);
    }

    /// <summary>
    /// Reserves the earliest send time at or after <paramref name="notBefore"/> (and now) that keeps the provider's
    /// and the global rate and gap. The reservation counts even if the caller then gives up.
    /// </summary>
    public DateTimeOffset ClaimSendSlot(ProviderKey provider, DateTimeOffset notBefore)
    {
        var scope = ScopeFor(provider);
        var now = _time.GetUtcNow();
        var from = notBefore > now ? notBefore : now;

        // Always global first, then provider: one lock order for every caller.
        lock (_global.Gate.Sync)
        {
            lock (scope.Gate.Sync)
            {
                var slot = from;
                while (true)
                {
                    var next = scope.Gate.Earliest(_global.Gate.Earliest(slot));
                    if (next == slot)
                    {
                        break;
                    }

                    slot = next;
                }

                _global.Gate.Commit(slot);
                scope.Gate.Commit(slot);
                return slot;
            }
        }
    }

    /// <summary>Claims a send slot and waits for it on the time provider's timer.</summary>
    public async ValueTask<DateTimeOffset> WaitForSendSlotAsync(ProviderKey provider, CancellationToken cancellationToken)
    {
        var slot = ClaimSendSlot(provider, DateTimeOffset.MinValue);
        await SlotTimer.WaitUntilAsync(slot, _time, cancellationToken).ConfigureAwait(false);
        return slot;
    }

    /// <summary>Provisional overload.</summary>
    public ValueTask<ConnectionLease> AcquireConnectionAsync(ProviderKey provider, ProviderKey? domainScope, CancellationToken cancellationToken) =>
        AcquireConnectionAsync(provider, cancellationToken);

    /// <summary>Provisional overload.</summary>
    public DateTimeOffset ClaimSendSlot(ProviderKey provider, ProviderKey? domainScope, DateTimeOffset notBefore) =>
        ClaimSendSlot(provider, notBefore);

    private Scope ScopeFor(ProviderKey provider) =>
        _providers.GetOrAdd(provider, key => new Scope(_configured.TryGetValue(key, out var limits) && limits.Enabled ? limits : StaticLimits.None));

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private sealed class Scope
    {
        public Scope(StaticLimits limits)
        {
            Limits = limits;
            Gate = new SendGate(limits);
            Connections = limits.MaxConnections is { } max ? new SemaphoreSlim(max, max) : null;
        }

        public StaticLimits Limits { get; }

        public SendGate Gate { get; }

        public SemaphoreSlim? Connections { get; }
    }
}
