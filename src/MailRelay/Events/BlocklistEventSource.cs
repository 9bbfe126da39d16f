using MailRelay.Dnsbl;

namespace MailRelay.Events;

/// <summary>
/// Turns each blocklist listing change of <see cref="DnsblMonitor"/> into a <c>blocklist_listed</c> or
/// <c>blocklist_delisted</c> event (details: <c>list</c>, <c>target</c>, <c>answer</c>, <c>reason</c>).
/// </summary>
internal sealed class BlocklistEventSource : IHostedService
{
    private readonly DnsblMonitor _monitor;
    private readonly IEventOutbox _outbox;
    private readonly ILogger _logger;

    public BlocklistEventSource(DnsblMonitor monitor, IEventOutbox outbox, ILogger<BlocklistEventSource> logger)
    {
        _monitor = monitor;
        _outbox = outbox;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _monitor.ListingChanged += OnListingChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _monitor.ListingChanged -= OnListingChanged;
        return Task.CompletedTask;
    }

    /// <summary>The event a change is told as; its id is derived from the type, list, target and time of the check.</summary>
    public static RelayEvent ToEvent(DnsblChangeEventArgs change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var result = change.Result;
        var type = change.Listed ? RelayEventTypes.BlocklistListed : RelayEventTypes.BlocklistDelisted;
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["list"] = result.List.Name,
            ["target"] = result.Target,
        };
        if (!string.IsNullOrEmpty(result.Answer))
        {
            details["answer"] = result.Answer;
        }

        if (!string.IsNullOrEmpty(result.Reason))
        {
            details["reason"] = result.Reason;
        }

        var at = change.At.ToUniversalTime();
        return new RelayEvent
        {
            Id = RelayEventIds.Of(type, result.List.Name, result.Target, at.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            Type = type,
            Time = at,
            Details = details,
        };
    }

    private void OnListingChanged(object? sender, DnsblChangeEventArgs change) => _ = AppendAsync(change);

    /// <summary>Off the monitor's thread; a failure is logged (the next change of the target is told again).</summary>
    private async Task AppendAsync(DnsblChangeEventArgs change)
    {
        await Task.Yield();
        try
        {
            await _outbox.AppendAsync([ToEvent(change)]).ConfigureAwait(false);
        }
        catch (Exception ex) when (Queue.SpoolFiles.IsIoFailure(ex))
        {
            EventLog.BlocklistEventFailed(_logger, change.Result.Target, change.Result.List.Name, ex);
        }
    }
}
