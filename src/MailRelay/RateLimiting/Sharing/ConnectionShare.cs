namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// The places this replica holds in each shared connection ceiling, however it got them: from Redis, or from its own
/// share while Redis could not answer. A place Redis granted is counted without a limit (Redis decided); a place taken
/// alone waits until the count of every scope is under the ceiling the caller names. Counting both is what keeps a
/// replica that held more places than its share when Redis went away from opening another connection until enough of
/// them have closed.
/// </summary>
internal sealed class ConnectionShare
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _heldAtOutage = new(StringComparer.Ordinal);
    private DateTimeOffset? _outage;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The places held in <paramref name="key"/> when the outage that began at <paramref name="outage"/> was first
    /// asked about. Taken once per outage; places only close between the outage and the first question (every place
    /// taken since is taken alone and asks), so the figure never overstates what this replica held.
    /// </summary>
    public int HeldAtOutage(string key, DateTimeOffset outage)
    {
        lock (_sync)
        {
            if (_outage != outage)
            {
                _outage = outage;
                _heldAtOutage.Clear();
                foreach (var (scope, count) in _held)
                {
                    _heldAtOutage[scope] = count;
                }
            }

            return _heldAtOutage.GetValueOrDefault(key);
        }
    }

    /// <summary>Counts one place in each of <paramref name="keys"/> that Redis granted; <paramref name="also"/> is given back with them.</summary>
    public IDisposable Count(IReadOnlyList<string> keys, IDisposable? also)
    {
        lock (_sync)
        {
            foreach (var key in keys)
            {
                _held[key] = _held.GetValueOrDefault(key) + 1;
            }
        }

        return new Places(this, keys, also);
    }

    /// <summary>
    /// Takes one place in every scope if each one's count is under its ceiling now (all or none). Otherwise null, and
    /// <paramref name="released"/> completes when this replica next gives a place back.
    /// </summary>
    public IDisposable? TryTake(IReadOnlyList<(string Key, int Ceiling)> scopes, out Task released)
    {
        lock (_sync)
        {
            released = _released.Task;
            foreach (var (key, ceiling) in scopes)
            {
                if (_held.GetValueOrDefault(key) >= ceiling)
                {
                    return null;
                }
            }

            var keys = new string[scopes.Count];
            for (var i = 0; i < scopes.Count; i++)
            {
                keys[i] = scopes[i].Key;
                _held[keys[i]] = _held.GetValueOrDefault(keys[i]) + 1;
            }

            return new Places(this, keys, null);
        }
    }

    private void Release(IReadOnlyList<string> keys)
    {
        TaskCompletionSource released;
        lock (_sync)
        {
            foreach (var key in keys)
            {
                var left = _held.GetValueOrDefault(key) - 1;
                if (left > 0)
                {
                    _held[key] = left;
                }
                else
                {
                    _held.Remove(key);
                }
            }

            released = _released;
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
    }

    /// <summary>One place in each of its scopes; disposing gives them back (and whatever else came with them).</summary>
    private sealed class Places(ConnectionShare owner, IReadOnlyList<string> keys, IDisposable? also) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(keys);
                also?.Dispose();
            }
        }
    }
}
