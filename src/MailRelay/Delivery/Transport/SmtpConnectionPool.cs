namespace MailRelay.Delivery.Transport;

/// <summary>
/// Keeps connections that finished a transaction for a short while, so the next message to the same
/// host (name, address, port and TLS policy) skips connect, greeting, EHLO, STARTTLS and AUTH. Bounded
/// in count and idle time; expired connections are closed by a timer and whenever the pool is looked at.
/// </summary>
public sealed class SmtpConnectionPool : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<IdleConnection> _idle = [];
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly ITimer _sweeper;
    private bool _disposed;

    public SmtpConnectionPool(TimeProvider timeProvider, TimeSpan idleLifetime, int capacity)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 0);
        _timeProvider = timeProvider;
        _lifetime = idleLifetime;
        _capacity = capacity;
        var period = idleLifetime > TimeSpan.Zero ? idleLifetime : TimeSpan.FromSeconds(1);
        _sweeper = timeProvider.CreateTimer(_ => _ = SweepAsync(), null, period, period);
    }

    /// <summary>Idle connections now held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>
    /// Takes an idle, unexpired connection to <paramref name="hop"/> (at any of its addresses) that serves the
    /// pacing scope <paramref name="poolKey"/> (null: unpaced), if any.
    /// </summary>
    public RelayingSmtpClient? TryTake(NextHop hop, string? poolKey = null)
    {
        ArgumentNullException.ThrowIfNull(hop);
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            for (var index = _idle.Count - 1; index >= 0; index--)
            {
                var idle = _idle[index];
                if (idle.Client.Hop == hop && string.Equals(idle.Client.PoolKey, poolKey, StringComparison.Ordinal)
                    && now - idle.IdleSince < _lifetime)
                {
                    _idle.RemoveAt(index);
                    return idle.Client;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Keeps <paramref name="client"/> for reuse, or closes it when the pool is full or closed, or when
    /// <paramref name="keepIdle"/> (asked as it goes in, so that no request sees it before) says no.
    /// </summary>
    public async ValueTask ReturnAsync(RelayingSmtpClient client, Func<bool>? keepIdle = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        RelayingSmtpClient? evicted = null;
        lock (_lock)
        {
            if (!_disposed && _capacity > 0 && _lifetime > TimeSpan.Zero && client.IsConnected && (keepIdle?.Invoke() ?? true))
            {
                if (_idle.Count >= _capacity)
                {
                    evicted = _idle[0].Client;
                    _idle.RemoveAt(0);
                }

                _idle.Add(new IdleConnection(client, _timeProvider.GetUtcNow()));
                client = null!;
            }
        }

        if (evicted is not null)
        {
            await CloseAsync(evicted, _timeProvider).ConfigureAwait(false);
        }

        if (client is not null)
        {
            await CloseAsync(client, _timeProvider).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the idle connections whose pacing scope <paramref name="counts"/> says to.</summary>
    public async Task CloseIdleAsync(Func<string?, bool> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        List<RelayingSmtpClient> closing;
        lock (_lock)
        {
            closing = _idle
                .Where(idle => counts(idle.Client.PoolKey))
                .Select(idle => idle.Client)
                .ToList();
            _idle.RemoveAll(idle => closing.Contains(idle.Client));
        }

        foreach (var client in closing)
        {
            await CloseAsync(client, _timeProvider).ConfigureAwait(false);
        }
    }

    /// <summary>Closes <paramref name="client"/> if it is idle in the pool; nothing when a request has taken it.</summary>
    public async Task CloseIfIdleAsync(RelayingSmtpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_lock)
        {
            if (_idle.RemoveAll(idle => ReferenceEquals(idle.Client, client)) == 0)
            {
                return;
            }
        }

        await CloseAsync(client, _timeProvider).ConfigureAwait(false);
    }

    /// <summary>Closes the connections that have been idle for the whole lifetime.</summary>
    public async Task SweepAsync()
    {
        var now = _timeProvider.GetUtcNow();
        List<RelayingSmtpClient> expired;
        lock (_lock)
        {
            expired = _idle.Where(idle => now - idle.IdleSince >= _lifetime).Select(idle => idle.Client).ToList();
            _idle.RemoveAll(idle => expired.Contains(idle.Client));
        }

        foreach (var client in expired)
        {
            await CloseAsync(client, _timeProvider).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<RelayingSmtpClient> all;
        lock (_lock)
        {
            _disposed = true;
            all = _idle.Select(idle => idle.Client).ToList();
            _idle.Clear();
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var client in all)
        {
            await CloseAsync(client, _timeProvider).ConfigureAwait(false);
        }
    }

    /// <summary>QUIT if the link still works, then release the socket; a dead link just closes.</summary>
    internal static async Task CloseAsync(RelayingSmtpClient client, TimeProvider timeProvider)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), timeProvider);
                await client.DisconnectAsync(quit: true, quitTimeout.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Closing must never fail the delivery that already has its outcome.
        catch (Exception)
#pragma warning restore CA1031
        {
            // The peer may have gone already; the socket is released below either way.
        }
        finally
        {
            client.Dispose();
        }
    }
}
