namespace MailRelay.RateLimiting;

/// <summary>
/// A held connection slot for one provider (and the global pool, and a custom domain's pool when the domain has
/// limits of its own). Dispose when the connection closes; ask
/// <see cref="TryStartMessage"/> before each message so the per-connection ceiling is kept.
/// </summary>
public sealed class ConnectionLease : IDisposable
{
    private readonly SemaphoreSlim? _domain;
    private readonly SemaphoreSlim? _provider;
    private readonly SemaphoreSlim? _global;
    private readonly IDisposable? _shared;
    private readonly bool _limitsDomain;
    private readonly bool _limitsProvider;
    private readonly bool _limitsGlobally;
    private int _messages;
    private int _disposed;

    internal ConnectionLease(
        ProviderKey provider,
        ProviderKey? domainScope,
        SemaphoreSlim? domainPool,
        SemaphoreSlim? providerPool,
        SemaphoreSlim? globalPool,
        int? maxPerConnection)
    {
        Provider = provider;
        DomainScope = domainScope;
        _domain = domainPool;
        _provider = providerPool;
        _global = globalPool;
        MaxMessages = maxPerConnection;
        _limitsDomain = domainPool is not null;
        _limitsProvider = providerPool is not null;
        _limitsGlobally = globalPool is not null;
    }

    /// <summary>A lease of places in ceilings kept elsewhere (the replicas' shared store); <paramref name="places"/> gives them back.</summary>
    internal ConnectionLease(
        ProviderKey provider,
        ProviderKey? domainScope,
        IDisposable? places,
        (bool Domain, bool Provider, bool Global) limited,
        int? maxPerConnection)
    {
        Provider = provider;
        DomainScope = domainScope;
        _shared = places;
        MaxMessages = maxPerConnection;
        _limitsDomain = limited.Domain;
        _limitsProvider = limited.Provider;
        _limitsGlobally = limited.Global;
    }

    public ProviderKey Provider { get; }

    /// <summary>The custom domain whose pool this lease also holds; null when none.</summary>
    public ProviderKey? DomainScope { get; }

    /// <summary>Messages this connection may carry (the smallest of the global, provider and domain quotas); null when unlimited.</summary>
    public int? MaxMessages { get; }

    public int MessagesStarted => Volatile.Read(ref _messages);

    /// <summary>The provider's connection ceiling applies.</summary>
    public bool LimitsProvider => _limitsProvider;

    /// <summary>The custom domain's connection ceiling applies.</summary>
    public bool LimitsDomain => _limitsDomain;

    /// <summary>The global connection ceiling applies.</summary>
    public bool LimitsGlobally => _limitsGlobally;

    /// <summary>False once the connection has carried its quota: close it and acquire a new lease.</summary>
    public bool TryStartMessage()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (true)
        {
            var current = Volatile.Read(ref _messages);
            if (MaxMessages is { } max && current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _messages, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _global?.Release();
            _provider?.Release();
            _domain?.Release();
            _shared?.Dispose();
        }
    }
}
