using System.Threading.Channels;
using MailRelay.Events;

namespace MailRelay.Suppression;

/// <summary>
/// Feeds the suppression list from the event outbox: a <c>bounced</c> event with a 5.x.x status or a
/// <c>complained</c> event suppresses its recipient for SUPPRESS_AFTER_HARD_BOUNCE. The outbox calls
/// <see cref="OnEvents"/> after each durable append, which must not block, so the writes (each an fsync) happen here
/// in the background, in order; expired entries are pruned hourly.
/// </summary>
public sealed partial class SuppressionRecorder : BackgroundService, IRelayEventListener
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private readonly SuppressionStore _store;
    private readonly SuppressionMetrics _metrics;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly ILogger<SuppressionRecorder> _logger;
    private readonly Channel<(string Recipient, SuppressionReason Reason)> _pending =
        Channel.CreateUnbounded<(string, SuppressionReason)>(new UnboundedChannelOptions { SingleReader = true });

    public SuppressionRecorder(SuppressionStore store, SuppressionMetrics metrics, TimeSpan duration, TimeProvider time, ILogger<SuppressionRecorder> logger)
    {
        _store = store;
        _metrics = metrics;
        _duration = duration;
        _time = time;
        _logger = logger;
    }

    /// <summary>The reason <paramref name="relayEvent"/> suppresses its recipient for, or null.</summary>
    public static SuppressionReason? ReasonOf(RelayEvent relayEvent)
    {
        ArgumentNullException.ThrowIfNull(relayEvent);
        if (string.IsNullOrEmpty(relayEvent.Recipient))
        {
            return null;
        }

        return relayEvent.Type switch
        {
            RelayEventTypes.Complained => SuppressionReason.Complaint,
            RelayEventTypes.Bounced when relayEvent.DsnStatus?.StartsWith("5.", StringComparison.Ordinal) == true => SuppressionReason.HardBounce,
            _ => null,
        };
    }

    public void OnEvents(IReadOnlyList<RelayEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var relayEvent in events)
        {
            if (ReasonOf(relayEvent) is { } reason)
            {
                _pending.Writer.TryWrite((relayEvent.Recipient!, reason));
            }
        }
    }

    /// <summary>Records <paramref name="recipient"/> now (what the background loop does for each event).</summary>
    public void Record(string recipient, SuppressionReason reason)
    {
        try
        {
            if (_store.Add(recipient, reason, _duration))
            {
                _metrics.Added(reason);
                var label = SuppressionMetrics.Label(reason);
                var until = _time.GetUtcNow() + _duration;
                LogSuppressed(_logger, recipient, label, until);
            }
            else
            {
                LogFull(_logger, recipient, SuppressionStore.MaxEntries);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, recipient, exception.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPrune = _time.GetUtcNow();
        try
        {
            while (true)
            {
                if (_time.GetUtcNow() >= nextPrune)
                {
                    Prune();
                    nextPrune = _time.GetUtcNow() + PruneInterval;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(PruneInterval);
                try
                {
                    await _pending.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    continue;
                }

                while (_pending.Reader.TryRead(out var item))
                {
                    Record(item.Recipient, item.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the loop, then records what is still pending (the loop may have been stopped before it ran at all).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        while (_pending.Reader.TryRead(out var item))
        {
            Record(item.Recipient, item.Reason);
        }
    }

    private void Prune()
    {
        try
        {
            _store.Prune();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, "(expired entries)", exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "suppressed <{Recipient}> reason={Reason} until={Until:u}")]
    private static partial void LogSuppressed(ILogger logger, string recipient, string reason, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "not suppressing <{Recipient}>: the suppression list holds its maximum of {Max} entries")]
    private static partial void LogFull(ILogger logger, string recipient, int max);

    [LoggerMessage(Level = LogLevel.Error, Message = "the suppression list could not be written for <{Recipient}>: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string recipient, string reason);
}
