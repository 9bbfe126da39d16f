using System.Collections.Concurrent;
using System.Text.Json;
using MailRelay.RateLimiting.Sharing;

namespace MailRelay.RateLimiting;

/// <summary>
/// Holds every provider's pacing state for the daemon's lifetime: the resolver (with its learned MX cache), the
/// static limiter, one <see cref="AdaptiveController"/> and one <see cref="WarmupCounter"/> per provider. Delivery
/// asks it for a provider's controller and warm-up allowance; <see cref="PacingStateService"/> saves and restores it.
/// </summary>
public sealed partial class PacingRegistry
{
    private readonly PacingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PacingRegistry> _logger;
    private readonly PacingMetrics? _metrics;
    private readonly AdaptiveSettings _adaptiveDefaults;
    private readonly WarmupSchedule? _warmupSchedule;
    private readonly ConcurrentDictionary<ProviderKey, AdaptiveController> _controllers = new();
    private readonly ConcurrentDictionary<ProviderKey, WarmupCounter> _warmups = new();
    private long _generation;

    /// <param name="shared">The replicas' shared store (REDIS_URL); null = this process keeps every ceiling alone.</param>
    public PacingRegistry(
        PacingOptions options, TimeProvider time, ILogger<PacingRegistry> logger, PacingMetrics? metrics = null, RedisSharedPacing? shared = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        Resolver = new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true));
        Limits = StaticLimiter.FromSettings(options.RateLimit, Resolver, time);
        _adaptiveDefaults = AdaptiveSettings.Default.Overlay(options.AdaptiveRate.Defaults);
        if (options.Warmup is { Enabled: true, StartDate: { } start })
        {
            _warmupSchedule = new WarmupSchedule(start, options.Warmup.DailyCaps);
        }

        IsActive = options.RateLimit.Enabled || options.AdaptiveRate.Enabled || _warmupSchedule is not null;
        _shared = shared;
        if (shared is not null)
        {
            _idle = new IdlePlaces(time);
            shared.Wanted += _idle.Want;
            shared.Attach(this);
        }

        metrics?.Observe(this);
    }

    /// <summary>False when static limits, adaptive pacing and warm-up are all off: delivery bypasses pacing entirely.</summary>
    public bool IsActive { get; }

    public ProviderResolver Resolver { get; }

    public StaticLimiter Limits { get; }

    public PacingOptions Options => _options;

    /// <summary>
    /// The provider's controller, made on first use: <see cref="AdaptiveSettings.Default"/> overlaid by
    /// ADAPTIVE_RATE_DEFAULTS, then by every ADAPTIVE_RATE_DOMAINS entry whose domain maps to this provider (in the
    /// order given). With adaptive pacing off the controller is disabled and grants every slot at once.
    /// </summary>
    public AdaptiveController Controller(ProviderKey provider) =>
        _controllers.GetOrAdd(provider, key => new AdaptiveController(key, SettingsFor(key), _time));

    /// <summary>
    /// Counts one send against the provider's warm-up cap for today. True when it fits, or when no warm-up applies to
    /// this provider; false with <paramref name="retryAt"/> = the next UTC day start when today's cap is used up.
    /// </summary>
    public bool TryConsumeWarmup(ProviderKey provider, out DateTimeOffset retryAt)
    {
        if (!WarmupApplies(provider))
        {
            retryAt = _time.GetUtcNow();
            return true;
        }

        return WarmupFor(provider).TryConsume(out retryAt);
    }

    /// <summary>True when warm-up caps apply to <paramref name="provider"/> (WARMUP_ENABLED and WARMUP_DOMAINS).</summary>
    public bool WarmupApplies(ProviderKey provider)
    {
        if (_warmupSchedule is null)
        {
            return false;
        }

        if (_options.Warmup.AllProviders)
        {
            return true;
        }

        foreach (var domain in _options.Warmup.Domains)
        {
            if (Resolver.ForDomain(domain) == provider)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The custom-domain scope key when RATE_LIMIT_CUSTOM_DOMAINS has an entry for exactly this recipient domain.</summary>
    public ProviderKey? DomainScope(string recipientDomain)
    {
        if (string.IsNullOrWhiteSpace(recipientDomain))
        {
            return null;
        }

        var key = StaticLimiter.CustomDomainKey(recipientDomain);
        return Limits.HasDomainScope(key) ? key : null;
    }

    /// <summary>Forgets the adaptive and warm-up state of one provider: initial delay, circuit closed, counters and today's count at zero.</summary>
    public void Reset(ProviderKey provider)
    {
        if (_controllers.TryGetValue(provider, out var controller))
        {
            controller.Reset();
        }

        if (_warmups.TryGetValue(provider, out var warmup))
        {
            warmup.Reset();
        }

        Interlocked.Increment(ref _generation);
        _metrics?.Forget(provider);
        PacingLog.ProviderReset(_logger, provider.Value);
    }

    public IReadOnlyList<AdaptiveSnapshot> Snapshots() =>
        _controllers.Values.Select(c => c.Snapshot()).OrderBy(s => s.Provider.Value, StringComparer.Ordinal).ToArray();

    /// <summary>Warm-up counts of the providers that warm-up applies to and that have sent (or been restored).</summary>
    public IReadOnlyList<WarmupSnapshot> WarmupSnapshots() =>
        _warmups
            .Select(entry => new WarmupSnapshot(entry.Key, entry.Value.SentToday, entry.Value.CapToday))
            .OrderBy(s => s.Provider.Value, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The state to persist.</summary>
    public PacingState ExportState()
    {
        var providers = new SortedDictionary<string, ProviderPacingState>(StringComparer.Ordinal);
        foreach (var (key, controller) in _controllers)
        {
            if (controller.Settings.Enabled)
            {
                providers[key.Value] = new ProviderPacingState(key.Value, controller.ExportState(), null);
            }
        }

        foreach (var (key, warmup) in _warmups)
        {
            var state = warmup.ExportState();
            providers[key.Value] = providers.TryGetValue(key.Value, out var existing)
                ? existing with { Warmup = state }
                : new ProviderPacingState(key.Value, null, state);
        }

        var learned = Resolver.LearnedEntries(_options.PersistedLearnedDomains)
            .Select(entry => new LearnedProvider(entry.Key, entry.Value.Value))
            .ToArray();
        return new PacingState(PacingState.CurrentFormatVersion, _time.GetUtcNow(), [.. providers.Values], learned);
    }

    /// <summary>
    /// Takes over a saved state: the learned providers always; warm-up counts when they are of today (a count must
    /// survive any restart within its day, or a restart would double the day's cap); adaptive state only when the
    /// state is younger than <see cref="PacingOptions.RestoreWindow"/>. Returns whether adaptive state was restored.
    /// </summary>
    public bool RestoreState(PacingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var learned in state.Learned)
        {
            if (!string.IsNullOrWhiteSpace(learned.Domain) && !string.IsNullOrWhiteSpace(learned.Provider))
            {
                Resolver.Remember(learned.Domain, new ProviderKey(learned.Provider));
            }
        }

        var age = _time.GetUtcNow() - state.SavedAt;
        var adaptive = age < _options.RestoreWindow;
        foreach (var entry in state.Providers)
        {
            if (string.IsNullOrWhiteSpace(entry.Provider))
            {
                continue;
            }

            var provider = new ProviderKey(entry.Provider);
            if (adaptive && entry.Adaptive is { } controllerState && Controller(provider) is { Settings.Enabled: true } controller)
            {
                controller.Restore(controllerState);
            }

            if (entry.Warmup is { } warmupState && WarmupApplies(provider))
            {
                WarmupFor(provider).Restore(warmupState);
            }
        }

        Interlocked.Increment(ref _generation);
        return adaptive;
    }

    /// <summary>Changes whenever anything that <see cref="ExportState"/> writes may have changed.</summary>
    internal (long Generation, long Versions) ChangeMark()
    {
        var versions = Resolver.LearnedVersion;
        foreach (var controller in _controllers.Values)
        {
            versions += controller.Version;
        }

        foreach (var warmup in _warmups.Values)
        {
            versions += warmup.Version;
        }

        return (Interlocked.Read(ref _generation) + _controllers.Count + _warmups.Count, versions);
    }

    private WarmupCounter WarmupFor(ProviderKey provider) =>
        _warmups.GetOrAdd(provider, key => new WarmupCounter(_warmupSchedule!, _time));

    private AdaptiveSettings SettingsFor(ProviderKey provider)
    {
        if (!_options.AdaptiveRate.Enabled)
        {
            return AdaptiveSettings.Default with { Enabled = false };
        }

        var settings = _adaptiveDefaults;
        if (_options.AdaptiveRate.Domains.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in _options.AdaptiveRate.Domains.EnumerateObject())
            {
                if (Resolver.ForDomain(entry.Name) == provider)
                {
                    settings = settings.Overlay(entry.Value);
                }
            }
        }

        return settings;
    }
}
