namespace MailRelay.RateLimiting;

/// <summary>Provisional: replaced by the registry with persistence.</summary>
public sealed class PacingRegistry
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ProviderKey, AdaptiveController> _controllers = new();
    private readonly AdaptiveSettings _adaptive;
    private readonly TimeProvider _time;

    public PacingRegistry(StaticLimiter limits, ProviderResolver resolver, AdaptiveSettings adaptive, TimeProvider time, bool active)
    {
        Limits = limits;
        Resolver = resolver;
        _adaptive = adaptive;
        _time = time;
        IsActive = active;
    }

    public bool IsActive { get; }

    public ProviderResolver Resolver { get; }

    public StaticLimiter Limits { get; }

    public AdaptiveController Controller(ProviderKey provider) => _controllers.GetOrAdd(provider, p => new AdaptiveController(p, _adaptive, _time));

    public bool TryConsumeWarmup(ProviderKey provider, out DateTimeOffset retryAt)
    {
        retryAt = _time.GetUtcNow();
        return true;
    }

    public ProviderKey? DomainScope(string recipientDomain) => null;
}
