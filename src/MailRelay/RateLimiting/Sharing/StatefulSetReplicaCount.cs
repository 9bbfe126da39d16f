using MailRelay.Handoff;

namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// The replica count as the relay's StatefulSet wants it (<c>spec.replicas</c>), read through the Kubernetes API with
/// the same call the scale-down handoff makes (<see cref="IReplicaCountSource"/>): at start, every
/// <see cref="RefreshInterval"/>, and whenever Redis is lost (the moment the count starts to matter). REPLICAS stands
/// until the first read succeeds; a read that fails keeps the count last read, which is closer to the truth than a
/// value fixed at deployment. A count of 0 (scaled to zero, this pod on its way out) counts as 1.
/// </summary>
public sealed class StatefulSetReplicaCount : IReplicaCount, IAsyncDisposable
{
    /// <summary>How often the count is read while nothing asks for it.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    /// <summary>The longest one read may take; a read that takes longer fails and the count stays.</summary>
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    private readonly IReplicaCountSource _source;
    private readonly string _statefulSet;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action? _readDone;
    private int _current;
    private int _reading;

    /// <param name="configured">REPLICAS: the count until the first read succeeds.</param>
    /// <param name="readDone">Called after every read, whether it succeeded or not (for observers such as tests).</param>
    public StatefulSetReplicaCount(
        IReplicaCountSource source, string statefulSet, int configured, TimeProvider time, ILogger<StatefulSetReplicaCount> logger, Action? readDone = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(statefulSet);
        ArgumentOutOfRangeException.ThrowIfLessThan(configured, 1);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _source = source;
        _statefulSet = statefulSet;
        _logger = logger;
        _current = configured;
        _readDone = readDone;
        Refresh();
        _timer = time.CreateTimer(_ => Refresh(), null, RefreshInterval, RefreshInterval);
    }

    public int Current => Volatile.Read(ref _current);

    /// <summary>Starts a read unless one is under way.</summary>
    public void Refresh()
    {
        if (Interlocked.CompareExchange(ref _reading, 1, 0) == 0)
        {
            _ = ReadAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        (_source as IDisposable)?.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            limit.CancelAfter(ReadLimit);
            var replicas = Math.Max(1, await _source.GetReplicasAsync(_statefulSet, limit.Token).ConfigureAwait(false));
            var before = Interlocked.Exchange(ref _current, replicas);
            if (before != replicas)
            {
                SharedPacingLog.ReplicasRead(_logger, _statefulSet, replicas, before);
            }
        }
        catch (Exception exception) when (exception is HandoffException or OperationCanceledException or ObjectDisposedException)
        {
            SharedPacingLog.ReplicasUnread(_logger, _statefulSet, Current, exception.Message);
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
            _readDone?.Invoke();
        }
    }
}
