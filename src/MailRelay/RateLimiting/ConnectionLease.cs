using MailRelay.RateLimiting.Sharing;

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
    private readonly IdlePlaces? _idle;
    private readonly string? _poolKey;
    private readonly IReadOnlyList<string> _scopeKeys = [];
    private readonly IdlePlace? _adoptedFrom;
    private IDisposable? _shared;
    private readonly bool _limitsDomain;
    private readonly bool _limitsProvider;
    private readonly bool _limitsGlobally;
    private int _messages;
    private int _disposed;
    private int _connectionChosen;

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

    /// <summary>
    /// A lease of places in ceilings kept elsewhere (the replicas' shared store); <paramref name="places"/> gives them
    /// back. With <paramref name="idle"/>, the places stay with the connection while it idles in the pool it names
    /// (<see cref="TryKeepIdle"/>); <paramref name="adoptedFrom"/> is the idle connection whose
    /// places these are, when they were taken over.
    /// </summary>
    internal ConnectionLease(
        ProviderKey provider,
        ProviderKey? domainScope,
        IDisposable? places,
        (bool Domain, bool Provider, bool Global) limited,
        int? maxPerConnection,
        (IdlePlaces Ledger, string PoolKey, IReadOnlyList<string> ScopeKeys)? idle = null,
        IdlePlace? adoptedFrom = null)
    {
        Provider = provider;
        DomainScope = domainScope;
        _shared = places;
        _idle = idle?.Ledger;
        _poolKey = idle?.PoolKey;
        _scopeKeys = idle?.ScopeKeys ?? [];
        _adoptedFrom = adoptedFrom;
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

    /// <summary>
    /// The connection stays open for the next message. When this lease holds places in the replicas' shared ceilings
    /// they stay with it while it idles (<paramref name="place"/>: dispose it when the connection closes), since the
    /// provider still counts it; <paramref name="closeIfIdle"/> closes it while it idles, if another replica asks for a
    /// place. False when it must close instead: another replica waits for a place in one of its scopes.
    /// </summary>
    internal bool TryKeepIdle(Func<Task> closeIfIdle, out IDisposable? place)
    {
        place = null;
        if (_idle is null || Volatile.Read(ref _shared) is not { } places)
        {
            // No shared places: the local ceilings close idle connections before a new one opens.
            return true;
        }

        if (Volatile.Read(ref _disposed) != 0 || _idle.Park(_poolKey!, _scopeKeys, places, closeIfIdle) is not { } parked)
        {
            return false;
        }

        Volatile.Write(ref _shared, null);
        place = parked;
        return true;
    }

    /// <summary>
    /// The message goes out on a pooled connection (<paramref name="idlePlace"/>: the places it kept while idle, given
    /// back now, as this lease's places count it), or on a new one (null). The idle connection whose places this lease
    /// took over, if it is not the one used, is closed while still idle: its places are this lease's now.
    /// </summary>
    internal void UsingConnection(IDisposable? idlePlace)
    {
        idlePlace?.Dispose();
        if (Interlocked.Exchange(ref _connectionChosen, 1) == 0 && _adoptedFrom is { } adopted && !ReferenceEquals(adopted, idlePlace))
        {
            _ = adopted.CloseAsync();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _global?.Release();
            _provider?.Release();
            _domain?.Release();
            Interlocked.Exchange(ref _shared, null)?.Dispose();
            if (Interlocked.Exchange(ref _connectionChosen, 1) == 0 && _adoptedFrom is { } adopted)
            {
                // Never used (the job was abandoned): the idle connection whose places these were must not stay open
                // without them.
                _ = adopted.CloseAsync();
            }
        }
    }
}
