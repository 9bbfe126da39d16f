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
    }

    public ProviderKey Provider { get; }

    /// <summary>The custom domain whose pool this lease also holds; null when none.</summary>
    public ProviderKey? DomainScope { get; }

    /// <summary>Messages this connection may carry (the smallest of the global, provider and domain quotas); null when unlimited.</summary>
    public int? MaxMessages { get; }

    public int MessagesStarted => Volatile.Read(ref _messages);

    /// <summary>The provider's connection ceiling applies.</summary>
    public bool LimitsProvider => _provider is not null;

    /// <summary>The custom domain's connection ceiling applies.</summary>
    public bool LimitsDomain => _domain is not null;

    /// <summary>The global connection ceiling applies.</summary>
    public bool LimitsGlobally => _global is not null;

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
        }
    }
}
