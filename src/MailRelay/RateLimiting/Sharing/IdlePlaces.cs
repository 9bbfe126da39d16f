namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// Places in the replicas' shared connection ceilings held by this replica's idle pooled connections. A connection
/// kept open between messages is still a connection the provider counts, so it keeps the places its last message was
/// given until it closes; the next request of the same pool takes them over instead of asking Redis (and then reuses
/// the connection, or closes it before opening another). When another replica finds a ceiling full it says so
/// (<see cref="Want"/>): this replica closes its longest-idle connection in that scope, or, if none is idle, the next
/// one that would go idle there within <see cref="WantedFor"/>. So each request waiting elsewhere costs this replica one
/// connection, and the places go round the replicas instead of staying with the one whose queue is busiest, while
/// connections nobody waits for are still reused.
/// </summary>
internal sealed class IdlePlaces
{
    /// <summary>How long a request for a place, when no connection was idle here, closes the next one that would be.</summary>
    internal static readonly TimeSpan WantedFor = RedisSharedPacing.ReleaseRecheck * 2;

    private readonly Lock _sync = new();
    private readonly Dictionary<string, List<IdlePlace>> _parked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _owed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _parkWaits = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _sequence;

    public IdlePlaces(TimeProvider time) => _time = time;

    /// <summary>Places now held by idle connections.</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _parked.Values.Sum(list => list.Count);
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="places"/> (in the scopes <paramref name="scopeKeys"/>) with an idle connection of
    /// <paramref name="poolKey"/>; <paramref name="close"/> closes that connection if it is still idle. Null when
    /// another replica asked for a place in one of the scopes while none was idle here: then the connection must close
    /// and give its places back.
    /// </summary>
    public IdlePlace? Park(string poolKey, IReadOnlyList<string> scopeKeys, IDisposable places, Func<Task> close)
    {
        TaskCompletionSource? parked;
        IdlePlace place;
        lock (_sync)
        {
            if (PayOwed(scopeKeys))
            {
                return null;
            }

            place = new IdlePlace(this, poolKey, scopeKeys, places, close, ++_sequence);
            if (!_parked.TryGetValue(poolKey, out var list))
            {
                _parked[poolKey] = list = [];
            }

            list.Add(place);
            _parkWaits.Remove(poolKey, out parked);
        }

        parked?.TrySetResult();
        return place;
    }

    /// <summary>
    /// Takes over the places of the connection of <paramref name="poolKey"/> that went idle last (the one the pool
    /// gives first); null when none is idle.
    /// </summary>
    public IdlePlace? TryAdopt(string poolKey)
    {
        lock (_sync)
        {
            if (!_parked.TryGetValue(poolKey, out var list) || list.Count == 0)
            {
                return null;
            }

            var place = list[^1];
            list.RemoveAt(list.Count - 1);
            place.Adopted = true;
            return place;
        }
    }

    /// <summary>Completes when a connection of <paramref name="poolKey"/> next parks its places.</summary>
    public Task NextParked(string poolKey)
    {
        lock (_sync)
        {
            if (!_parkWaits.TryGetValue(poolKey, out var wait))
            {
                _parkWaits[poolKey] = wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return wait.Task;
        }
    }

    /// <summary>
    /// Another replica waits for a place in <paramref name="scopeKey"/>: the idle connection holding one there the
    /// longest closes, or, if none is idle, the next one that would park there within <see cref="WantedFor"/>.
    /// </summary>
    public void Want(string scopeKey)
    {
        IdlePlace? oldest;
        lock (_sync)
        {
            oldest = Oldest(place => place.ScopeKeys.Contains(scopeKey, StringComparer.Ordinal));
            if (oldest is null)
            {
                _owed[scopeKey] = _time.GetUtcNow() + WantedFor;
            }
        }

        // Outside the lock: closing takes the pool's lock, which parks places under its own.
        _ = oldest?.CloseAsync();
    }

    /// <summary>
    /// A request of <paramref name="poolKey"/> here waits for a place in one of <paramref name="scopeKeys"/>: the
    /// connection of another pool that has idled the longest holding a place in one of them is closed (a connection of
    /// the same pool would be taken over as soon as it parks).
    /// </summary>
    public void MakeRoom(IReadOnlyList<string> scopeKeys, string poolKey)
    {
        IdlePlace? oldest;
        lock (_sync)
        {
            oldest = Oldest(place => place.PoolKey != poolKey && place.ScopeKeys.Any(scopeKeys.Contains));
        }

        _ = oldest?.CloseAsync();
    }

    /// <summary>Forgets <paramref name="place"/> (its connection closed or was taken); false when it was taken over.</summary>
    internal bool Remove(IdlePlace place)
    {
        lock (_sync)
        {
            if (_parked.TryGetValue(place.PoolKey, out var list) && list.Remove(place) && list.Count == 0)
            {
                _parked.Remove(place.PoolKey);
            }

            return !place.Adopted;
        }
    }

    /// <summary>The place parked first among those <paramref name="matches"/> accepts; null when none. Under the lock.</summary>
    private IdlePlace? Oldest(Func<IdlePlace, bool> matches)
    {
        IdlePlace? oldest = null;
        foreach (var place in _parked.Values.SelectMany(list => list))
        {
            if (matches(place) && (oldest is null || place.Order < oldest.Order))
            {
                oldest = place;
            }
        }

        return oldest;
    }

    /// <summary>True (and the debt settled) when a place in one of <paramref name="scopeKeys"/> is owed to another replica.</summary>
    private bool PayOwed(IReadOnlyList<string> scopeKeys)
    {
        var now = _time.GetUtcNow();
        foreach (var key in scopeKeys)
        {
            if (_owed.Remove(key, out var until) && now < until)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The places an idle connection holds. Disposing it (the connection closed, or a request took the connection with
/// places of its own) gives them back, unless a request took them over (<see cref="Adopted"/>).
/// </summary>
internal sealed class IdlePlace : IDisposable
{
    private readonly IdlePlaces _owner;
    private readonly Func<Task> _close;
    private int _disposed;

    internal IdlePlace(IdlePlaces owner, string poolKey, IReadOnlyList<string> scopeKeys, IDisposable places, Func<Task> close, long order)
    {
        _owner = owner;
        _close = close;
        PoolKey = poolKey;
        ScopeKeys = scopeKeys;
        Places = places;
        Order = order;
    }

    public string PoolKey { get; }

    public IReadOnlyList<string> ScopeKeys { get; }

    /// <summary>The places themselves; a request that took them over releases them.</summary>
    public IDisposable Places { get; }

    /// <summary>A request took the places over; the connection itself may still be idle in the pool.</summary>
    public bool Adopted { get; set; }

    /// <summary>Parked after every place with a lower order.</summary>
    internal long Order { get; }

    /// <summary>Closes the connection if it is still idle (which disposes this).</summary>
    public Task CloseAsync() => _close();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _owner.Remove(this))
        {
            Places.Dispose();
        }
    }
}
