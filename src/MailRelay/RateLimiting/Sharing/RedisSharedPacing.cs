using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MailRelay.Configuration;
using StackExchange.Redis;

namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// Provider pacing shared by the replicas through Redis (REDIS_URL): send slots, connection ceilings, warm-up counts
/// and the adaptive controllers' state. Every call that fails (Redis unreachable, a timeout, a script error) returns
/// null at once and puts this replica in fallback for a second; <see cref="PacingRegistry"/> then keeps this
/// replica's share of each ceiling locally, so delivery never waits on Redis. The client reconnects by itself.
/// </summary>
public sealed partial class RedisSharedPacing : IAsyncDisposable
{
    /// <summary>Life of a connection lease not renewed: a replica that died frees its places after this.</summary>
    internal static readonly TimeSpan LeaseLife = TimeSpan.FromSeconds(30);

    /// <summary>A replica waiting for a full connection ceiling asks again after this even without a release message.</summary>
    internal static readonly TimeSpan ReleaseRecheck = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a begun transaction holds the other replicas off at most, if its MAIL FROM is never reported sent
    /// (the replica died, or the connection broke before it).
    /// </summary>
    internal static readonly TimeSpan BeginHold = TimeSpan.FromSeconds(2);

    /// <summary>After a failed call, how long the replica stays in fallback before asking Redis again.</summary>
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Life of a slot record; longer than any gap or rate window it could still constrain.</summary>
    private static readonly TimeSpan SlotRecordLife = TimeSpan.FromHours(25);

    private readonly RedisSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReplicaCount _replicas;
    private readonly ConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly RedisChannel _releasedChannel;
    private readonly RedisChannel _adaptiveChannel;
    private readonly RedisChannel _begunChannel;
    private readonly RedisChannel _wantedChannel;
    private TaskCompletionSource _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _releaseWaits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ProviderKey, long> _versions = new();
    private readonly ITimer _renewal;
    private readonly Lock _sync = new();
    private PacingRegistry? _registry;
    private long _leaseSequence;
    private bool _up = true;
    private DateTimeOffset _retryAfter;
    private DateTimeOffset? _downSince;
    private DateTimeOffset? _lastOutage;
    private bool _wasConnected;
    private volatile bool _registered = true;
    private DateTimeOffset? _recoveredAt;
    private double _fallbackSeconds;
    private long _transitions;
    private long _scriptErrors;

    public RedisSharedPacing(RedisSettings settings, IReplicaCount replicas, TimeProvider time, ILogger<RedisSharedPacing> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (settings.Host is null)
        {
            throw new ArgumentException("REDIS_URL is not set.", nameof(settings));
        }

        _settings = settings;
        _replicas = replicas;
        _time = time;
        _logger = logger;
        _prefix = "{" + settings.KeyPrefix + "}:";
        _releasedChannel = RedisChannel.Literal(_prefix + "released");
        _adaptiveChannel = RedisChannel.Literal(_prefix + "adaptive");
        _begunChannel = RedisChannel.Literal(_prefix + "begun");
        _wantedChannel = RedisChannel.Literal(_prefix + "wanted");
        Origin = Guid.NewGuid().ToString("N");
        var timeout = (int)Math.Clamp(settings.Timeout.TotalMilliseconds, 1, int.MaxValue);
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = timeout,
            SyncTimeout = timeout,
            AsyncTimeout = timeout,
            ConnectRetry = 1,
            Ssl = settings.UseTls,
            User = settings.User,
            Password = settings.Password,
            DefaultDatabase = settings.Database,
            ClientName = "mailrelay",
            ReconnectRetryPolicy = new ExponentialRetry(250, 5000),
        };
        options.EndPoints.Add(settings.Host, settings.Port);
        _redis = ConnectionMultiplexer.Connect(options);
        // Only the connection the scripts run on decides: the subscription connection reconnects on its own schedule,
        // and a release or begin message it misses is made up by the waiters' own rechecks.
        _redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Observe(false, e.FailureType.ToString());
            }
        };
        _redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                _ = OnRestoredAsync();
            }
        };
        // The client keeps both subscriptions and renews them at every reconnection, also when Redis is down now.
        var subscriber = _redis.GetSubscriber();
        Subscribe(subscriber, _releasedChannel, OnReleased);
        Subscribe(subscriber, _adaptiveChannel, OnAdaptive);
        Subscribe(subscriber, _begunChannel, _ => Interlocked.Exchange(ref _begun, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult());
        Subscribe(subscriber, _wantedChannel, OnWanted);
        _renewal = time.CreateTimer(_ => _ = RenewAsync(), null, LeaseLife / 3, LeaseLife / 3);
        SharedPacingLog.Started(logger, settings.Host, settings.Port, settings.KeyPrefix, replicas.Current);
        Observe(_redis.IsConnected, "not connected at start");
    }

    /// <summary>Raised after every place this replica holds was registered in Redis again after an outage.</summary>
    internal event Action? Registered;

    /// <summary>Raised when another replica found a connection ceiling full: the scope's key (<c>p:gmail.com</c>).</summary>
    internal event Action<string>? Wanted;

    /// <summary>Raised after a controller took over state another replica published.</summary>
    internal event Action<ProviderKey>? Adopted;

    /// <summary>This replica's id in lease ids and adaptive messages.</summary>
    internal string Origin { get; }

    /// <summary>The replica count the local fallback divides each ceiling by.</summary>
    public int Replicas => Math.Max(1, _replicas.Current);

    /// <summary>True when calls go to Redis; false while this replica paces alone on its share.</summary>
    public bool Available => Observe(_redis.IsConnected && _time.GetUtcNow() >= _retryAfter, "connection lost");

    /// <summary>When Redis last became reachable again after an outage (this replica's clock); null if never down.</summary>
    internal DateTimeOffset? RecoveredAt
    {
        get
        {
            lock (_sync)
            {
                return _recoveredAt;
            }
        }
    }

    /// <summary>
    /// When Redis last became unreachable after this replica had reached it (this replica's clock); null while it never
    /// had. Connection places held by the other replicas at that instant are not known here.
    /// </summary>
    internal DateTimeOffset? LastOutage
    {
        get
        {
            lock (_sync)
            {
                return _lastOutage;
            }
        }
    }

    /// <summary>The state for metrics and <c>/readyz</c>: connected, seconds and transitions in fallback, script errors.</summary>
    public SharedPacingStatus Status()
    {
        var up = Available;
        lock (_sync)
        {
            var seconds = _fallbackSeconds + (_downSince is { } since ? (_time.GetUtcNow() - since).TotalSeconds : 0);
            return new SharedPacingStatus(up, _downSince, seconds, _transitions, Interlocked.Read(ref _scriptErrors), Replicas);
        }
    }

    /// <summary>Lets adaptive state published by other replicas reach this replica's controllers.</summary>
    internal void Attach(PacingRegistry registry) => _registry = registry;

    /// <summary>
    /// Reserves the first instant at or after <paramref name="from"/> that every scope allows, in the book
    /// <paramref name="book"/> (<c>plan</c> for reserved slots, <c>start</c> for transactions begun); null when Redis
    /// could not answer. The answer is an offset from the server's now, laid onto this replica's clock.
    /// </summary>
    internal async ValueTask<DateTimeOffset?> ReserveAsync(string book, IReadOnlyList<SharedScope> scopes, DateTimeOffset from)
    {
        var asked = _time.GetUtcNow();
        var raw = await ReserveRawAsync(book, scopes, from > asked ? from - asked : TimeSpan.Zero).ConfigureAwait(false);
        return raw is { } r ? _time.GetUtcNow() + TimeSpan.FromMicroseconds(Math.Max(0, r.Slot - r.Now)) : null;
    }

    /// <summary>The reservation in the server's microseconds: the slot and the server's now when it was made.</summary>
    internal async ValueTask<(long Slot, long Now)?> ReserveRawAsync(string book, IReadOnlyList<SharedScope> scopes, TimeSpan offset) =>
        await RunReserveAsync(book, scopes, offset, beginNow: false).ConfigureAwait(false) is { } r ? (r.Slot, r.Now) : null;

    /// <summary>
    /// Begins a transaction now if the transactions of all replicas allow it (then it is recorded, at the server's
    /// now): (true, _). Otherwise nothing is recorded and the answer says when to ask again, on this replica's clock.
    /// Null when Redis could not answer. Recording the instant of the answer, not a planned one, keeps a late timer of
    /// one replica from shortening the gap to another's next transaction.
    /// </summary>
    internal async ValueTask<SharedBegin?> TryBeginAsync(IReadOnlyList<SharedScope> scopes)
    {
        var raw = await RunReserveAsync("start", scopes, BeginHold, beginNow: true).ConfigureAwait(false);
        if (raw is not { } r)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        return r.Slot <= r.Now ? new SharedBegin(true, now, scopes, r.Recorded) : new SharedBegin(false, now + TimeSpan.FromMicroseconds(r.Slot - r.Now), scopes, null);
    }

    /// <summary>Completes when a replica next reports a MAIL FROM sent (a held record released); take it before asking.</summary>
    internal Task NextBegunRelease() => Volatile.Read(ref _begun).Task;

    /// <summary>The begun transaction's MAIL FROM has left: its held record becomes now, and waiting replicas are told. In the background.</summary>
    internal void MailFromSent(SharedBegin begun)
    {
        if (begun.Recorded is not { } recorded)
        {
            return;
        }

        var keys = new RedisKey[begun.Scopes.Count * 2];
        for (var i = 0; i < begun.Scopes.Count; i++)
        {
            keys[i * 2] = $"{_prefix}start:{begun.Scopes[i].Key}:window";
            keys[(i * 2) + 1] = $"{_prefix}start:{begun.Scopes[i].Key}:last";
        }

        RedisValue[] args = [recorded, _begunChannel.ToString(), "sent"];
        _ = EvaluateAsync("restamp", RedisScripts.Restamp, keys, args).AsTask();
    }

    private async ValueTask<(long Slot, long Now, string Recorded)?> RunReserveAsync(string book, IReadOnlyList<SharedScope> scopes, TimeSpan offset, bool beginNow)
    {
        var keys = new RedisKey[scopes.Count * 2];
        var args = new RedisValue[3 + (scopes.Count * 3)];
        args[^1] = beginNow ? 1 : 0;
        args[0] = Micros(offset);
        args[1] = (long)SlotRecordLife.TotalMilliseconds;
        for (var i = 0; i < scopes.Count; i++)
        {
            var scope = scopes[i];
            keys[i * 2] = $"{_prefix}{book}:{scope.Key}:window";
            keys[(i * 2) + 1] = $"{_prefix}{book}:{scope.Key}:last";
            args[2 + (i * 3)] = Micros(scope.Gap);
            args[3 + (i * 3)] = scope.RateCount ?? 0;
            args[4 + (i * 3)] = Micros(scope.RateInterval);
        }

        var result = await EvaluateAsync("reserve", RedisScripts.Reserve, keys, args).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        var values = (RedisResult[])result!;
        return (ParseLong(values[0]), ParseLong(values[1]), values[2].ToString());
    }

    /// <summary>
    /// Takes a place in each connection ceiling of <paramref name="scopes"/>, in their order, waiting for a release
    /// message (or <see cref="ReleaseRecheck"/>) while one is full; each time it finds one full it tells the other
    /// replicas (they close an idle connection in that scope) and calls <paramref name="full"/>. Null when Redis failed meanwhile: places already
    /// taken are given back and the caller falls back to its local share.
    /// </summary>
    internal async ValueTask<IDisposable?> AcquireConnectionAsync(IReadOnlyList<SharedScope> scopes, Action? full, CancellationToken cancellationToken)
    {
        var id = Origin + ":" + Interlocked.Increment(ref _leaseSequence).ToString(CultureInfo.InvariantCulture);
        var held = new List<string>(scopes.Count);
        try
        {
            foreach (var scope in scopes)
            {
                var key = $"{_prefix}conn:{scope.Key}";
                while (true)
                {
                    var released = _releaseWaits.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                    var taken = await TryTakeAsync(key, scope.MaxConnections!.Value, id).ConfigureAwait(false);
                    if (taken is null)
                    {
                        Release(id, held);
                        return null;
                    }

                    if (taken.Value)
                    {
                        held.Add(key);
                        _leases[id] = [.. held];
                        break;
                    }

                    // Full: the replicas keeping idle connections in this scope close one and stop keeping them a while,
                    // and this one closes an idle connection of another pool that holds a place here.
                    _ = PublishAsync(_wantedChannel, Origin + "\n" + scope.Key);
                    full?.Invoke();
                    using var recheck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var delay = Task.Delay(ReleaseRecheck, _time, recheck.Token);
                    await Task.WhenAny(released, delay).ConfigureAwait(false);
                    await recheck.CancelAsync().ConfigureAwait(false);
                    await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch
        {
            Release(id, held);
            throw;
        }

        return new SharedLease(this, id, held);
    }

    /// <summary>
    /// Records places taken in this replica's share while Redis could not answer, as leases of this replica, so that
    /// they are registered in Redis when it answers again (<see cref="RenewAsync"/>) and count against the shared
    /// ceilings for as long as their connections stay open.
    /// </summary>
    internal IDisposable HoldAlone(IReadOnlyList<SharedScope> scopes)
    {
        var id = Origin + ":" + Interlocked.Increment(ref _leaseSequence).ToString(CultureInfo.InvariantCulture);
        var keys = scopes.Select(scope => $"{_prefix}conn:{scope.Key}").ToArray();
        _leases[id] = keys;
        return new SharedLease(this, id, keys);
    }

    /// <summary>Counts one send against <paramref name="provider"/>'s cap for <paramref name="day"/>: (counted, the day's count), or null.</summary>
    internal async ValueTask<(bool Counted, int Sent)?> TryConsumeWarmupAsync(ProviderKey provider, DateOnly day, int cap)
    {
        RedisKey[] keys = [$"{_prefix}warmup:{provider.Value}:{day:yyyy-MM-dd}"];
        RedisValue[] args = [cap, (long)TimeSpan.FromDays(3).TotalSeconds];
        var result = await EvaluateAsync("warmup", RedisScripts.Warmup, keys, args).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        var values = (RedisResult[])result!;
        return ((int)values[0] == 1, (int)values[1]);
    }

    /// <summary>Publishes <paramref name="controller"/>'s state after it changed; in the background, never blocking delivery.</summary>
    internal void Publish(AdaptiveController controller, bool rateLimited)
    {
        if (!Available)
        {
            return;
        }

        _ = PublishAsync(controller, rateLimited);
    }

    /// <summary>Publishes, or adopts the shared state when another replica's is newer. Returns whether it was taken.</summary>
    internal async Task<bool?> PublishAsync(AdaptiveController controller, bool rateLimited)
    {
        var state = controller.ExportState();
        var payload = JsonSerializer.Serialize(state, SharedStateJsonContext.Default.AdaptiveControllerState);
        var seen = _versions.GetValueOrDefault(controller.Provider);
        RedisKey[] keys = [AdaptiveKey(controller.Provider)];
        RedisValue[] args =
        [
            seen, rateLimited ? 1 : 0, Micros(state.Delay), payload, _adaptiveChannel.ToString(), Origin + "\n" + controller.Provider.Value,
        ];
        var result = await EvaluateAsync("adaptive", RedisScripts.PublishAdaptive, keys, args).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        var values = (RedisResult[])result!;
        var version = (long)values[1];
        if ((int)values[0] == 1)
        {
            Remember(controller.Provider, version);
            return true;
        }

        Adopt(controller.Provider, version, values[2].ToString(), "redis");
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _renewal.DisposeAsync().ConfigureAwait(false);
        foreach (var (id, keys) in _leases)
        {
            Release(id, keys);
        }

        await _redis.CloseAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }

    internal string AdaptiveKey(ProviderKey provider) => $"{_prefix}adaptive:{provider.Value}";

    private static void Subscribe(ISubscriber subscriber, RedisChannel channel, Action<RedisValue> handler)
    {
        try
        {
            subscriber.Subscribe(channel, (_, message) => handler(message), CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Not connected yet: the subscription is registered and made when the connection comes.
        }
    }

    private static long Micros(TimeSpan span) => span.Ticks / 10;

    private static long ParseLong(RedisResult value) => long.Parse(value.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private async ValueTask<bool?> TryTakeAsync(string key, int ceiling, string id)
    {
        RedisKey[] keys = [key];
        RedisValue[] args = [ceiling, id, Micros(LeaseLife)];
        var result = await EvaluateAsync("acquire", RedisScripts.Acquire, keys, args).ConfigureAwait(false);
        return result is null ? null : (int)result == 1;
    }

    private void Release(string id, IReadOnlyList<string> keys)
    {
        _leases.TryRemove(id, out _);
        if (keys.Count == 0 || !_redis.IsConnected)
        {
            // Redis down: the places expire with their leases (LeaseLife).
            return;
        }

        foreach (var key in keys)
        {
            RedisKey[] redisKeys = [key];
            RedisValue[] args = [id, _releasedChannel.ToString(), key];
            _ = EvaluateAsync("release", RedisScripts.Release, redisKeys, args).AsTask();
        }
    }

    /// <summary>
    /// Extends this replica's leases; after an outage, first registers every place it holds again, including those
    /// taken alone and those Redis forgot (it dropped them as expired, or restarted empty): their connections are
    /// open, so they count, even above the ceiling (then nobody takes a place until enough have closed).
    /// </summary>
    private async Task RenewAsync()
    {
        var register = !_registered;
        var script = register ? RedisScripts.Register : RedisScripts.Renew;
        var name = register ? "register" : "renew";
        foreach (var (id, keys) in _leases.ToArray())
        {
            var redisKeys = keys.Select(k => (RedisKey)k).ToArray();
            var args = new RedisValue[keys.Length + 1];
            args[0] = Micros(LeaseLife);
            for (var i = 0; i < keys.Length; i++)
            {
                args[i + 1] = id;
            }

            if (await EvaluateAsync(name, script, redisKeys, args).ConfigureAwait(false) is null)
            {
                return;
            }
        }

        if (register && Available)
        {
            _registered = true;
            Registered?.Invoke();
        }
    }

    private async Task PublishAsync(RedisChannel channel, string message)
    {
        try
        {
            await _redis.GetSubscriber().PublishAsync(channel, message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Not delivered: the waiter asks again at its next recheck.
        }
    }

    private void OnWanted(RedisValue message)
    {
        var parts = message.ToString().Split('\n', 2);
        if (parts.Length == 2 && parts[0] != Origin)
        {
            Wanted?.Invoke(parts[1]);
        }
    }

    private void OnReleased(RedisValue message)
    {
        if (_releaseWaits.TryRemove(message.ToString(), out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    private void OnAdaptive(RedisValue message)
    {
        var parts = message.ToString().Split('\n', 4);
        if (parts.Length != 4 || parts[0] == Origin || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return;
        }

        Adopt(new ProviderKey(parts[1]), version, parts[3], parts[0]);
    }

    private void Adopt(ProviderKey provider, long version, string payload, string origin)
    {
        if (_registry is not { } registry || payload.Length == 0 || !Remember(provider, version))
        {
            return;
        }

        AdaptiveControllerState? state;
        try
        {
            state = JsonSerializer.Deserialize(payload, SharedStateJsonContext.Default.AdaptiveControllerState);
        }
        catch (JsonException)
        {
            return;
        }

        if (state is not null && registry.Controller(provider) is { Settings.Enabled: true } controller)
        {
            controller.Adopt(state);
            SharedPacingLog.Adopted(_logger, provider.Value, origin, version);
            Adopted?.Invoke(provider);
        }
    }

    /// <summary>Records the newest version seen; false when <paramref name="version"/> is not newer.</summary>
    private bool Remember(ProviderKey provider, long version)
    {
        while (true)
        {
            var seen = _versions.GetOrAdd(provider, 0);
            if (version <= seen && seen != 0)
            {
                return false;
            }

            if (_versions.TryUpdate(provider, version, seen))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// After an outage: the shared adaptive state wins where Redis still has it (this replica adopts it); where it is
    /// gone (Redis restarted empty) this replica's own state seeds it again.
    /// </summary>
    private async Task OnRestoredAsync()
    {
        lock (_sync)
        {
            _retryAfter = DateTimeOffset.MinValue;
        }

        if (!Available)
        {
            return;
        }

        await RenewAsync().ConfigureAwait(false);
        if (_registry is not { } registry)
        {
            return;
        }

        foreach (var snapshot in registry.Snapshots())
        {
            var controller = registry.Controller(snapshot.Provider);
            if (!controller.Settings.Enabled)
            {
                continue;
            }

            try
            {
                var values = await _redis.GetDatabase().HashGetAsync(AdaptiveKey(snapshot.Provider), ["v", "state"]).ConfigureAwait(false);
                if (values[0].IsNull)
                {
                    _versions[snapshot.Provider] = 0;
                    await PublishAsync(controller, rateLimited: false).ConfigureAwait(false);
                }
                else
                {
                    Adopt(snapshot.Provider, (long)values[0], values[1].ToString(), "redis");
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Fail("sync", ex);
                return;
            }
        }
    }

    private async ValueTask<RedisResult?> EvaluateAsync(string name, string script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(script, keys, args).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidCastException or FormatException or IndexOutOfRangeException)
        {
            Fail(name, ex);
            return null;
        }
    }

    private void Fail(string name, Exception ex)
    {
        if (ex is RedisServerException or InvalidCastException or FormatException or IndexOutOfRangeException)
        {
            Interlocked.Increment(ref _scriptErrors);
            SharedPacingLog.ScriptFailed(_logger, name, ex.Message);
        }

        lock (_sync)
        {
            _retryAfter = _time.GetUtcNow() + FailureBackoff;
        }

        Observe(false, ex.GetType().Name + ": " + ex.Message);
    }

    /// <summary>Follows the transitions between shared and fallback pacing; returns <paramref name="up"/>.</summary>
    private bool Observe(bool up, string reason)
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _wasConnected |= up;
            if (up == _up)
            {
                return up;
            }

            _up = up;
            if (!up)
            {
                _registered = false;
                _downSince = now;
                _lastOutage = _wasConnected ? now : _lastOutage;
                _replicas.Refresh();
                _transitions++;
                SharedPacingLog.FallingBack(_logger, reason, Replicas);
            }
            else if (_downSince is { } since)
            {
                var seconds = (now - since).TotalSeconds;
                _fallbackSeconds += seconds;
                _downSince = null;
                _recoveredAt = now;
                SharedPacingLog.Recovered(_logger, seconds);
            }

            return up;
        }
    }

    /// <summary>Places held in the shared connection ceilings by one connection.</summary>
    private sealed class SharedLease(RedisSharedPacing owner, string id, IReadOnlyList<string> keys) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(id, keys);
            }
        }
    }
}
