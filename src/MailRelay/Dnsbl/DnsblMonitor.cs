using System.Net;
using MailRelay.Configuration;
using MailRelay.DnsPublishing;

namespace MailRelay.Dnsbl;

/// <summary>
/// Checks the sending addresses and domains on the configured blocklists, keeps the last known state of each, and
/// tells of every change: a log line (with the list's TXT reason), the metrics, and <see cref="ListingChanged"/> for
/// any part of the relay that wants to act on it. A check that gets no answer (a timeout, a refused query) changes no
/// state: only an answer of the list itself lists or delists.
/// </summary>
public sealed class DnsblMonitor : IDisposable
{
    private readonly DnsblSettings _settings;
    private readonly IPublicAddressSource? _addresses;
    private readonly DnsblChecker _checker;
    private readonly DnsblMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<DnsblMonitor> _logger;
    private readonly Dictionary<(string List, string Target), DnsblResult> _known = [];
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public DnsblMonitor(
        DnsblSettings settings, IPublicAddressSource? addresses, DnsblChecker checker, DnsblMetrics metrics, TimeProvider time, ILogger<DnsblMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _settings = settings;
        _addresses = addresses;
        _checker = checker;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Raised after a check, once for each target that went onto a list or came off one (the first check reports
    /// every listing it finds). Handlers run on the monitor's thread and must not block it.
    /// </summary>
    public event EventHandler<DnsblChangeEventArgs>? ListingChanged;

    public DnsblSettings Settings => _settings;

    public IPublicAddressSource? AddressSource => _addresses;

    /// <summary>The last known state of every target on every list (errors are not states).</summary>
    public IReadOnlyList<DnsblResult> Known
    {
        get
        {
            lock (_known)
            {
                return [.. _known.Values];
            }
        }
    }

    /// <summary>The addresses to check now: DNSBL_IPS or DNS_EXTERNAL_IPS, or asked of the detector; null with the reason when it fails.</summary>
    public static async Task<(IReadOnlyList<IPAddress>? Addresses, string? Problem)> ResolveAddressesAsync(
        DnsblSettings settings, IPublicAddressSource? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.IpLists.Count == 0)
        {
            return ([], null);
        }

        switch (settings.AddressOrigin)
        {
            case DnsblAddressOrigin.DnsblIps or DnsblAddressOrigin.DnsExternalIps:
                return (settings.Addresses, null);
            case DnsblAddressOrigin.Detected when source is not null:
                try
                {
                    return (await source.GetAddressesAsync(cancellationToken), null);
                }
                catch (DnsProviderException e)
                {
                    return (null, e.Message);
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    return (null, $"{source.Description}: {e.Message}");
                }

            case DnsblAddressOrigin.Detected:
                return (null, "no address detector is configured (DNS_PROVIDER is none)");
            default:
                return ([], null);
        }
    }

    /// <summary>One check of everything, as the daemon and <c>dnsbl check</c> both run it.</summary>
    public static async Task<DnsblReport> RunOnceAsync(
        DnsblSettings settings, IPublicAddressSource? source, DnsblChecker checker, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(time);
        var (addresses, problem) = await ResolveAddressesAsync(settings, source, cancellationToken);
        var domains = settings.DomainLists.Count == 0 ? [] : settings.Domains;
        var results = await checker.CheckAllAsync(addresses ?? [], domains, settings.Lists, cancellationToken);
        return new DnsblReport(results, problem, time.GetUtcNow());
    }

    /// <summary>Checks now; overlapping calls wait for each other.</summary>
    public async Task<DnsblReport> CheckAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var report = await RunOnceAsync(_settings, _addresses, _checker, _time, cancellationToken);
            var changes = Record(report);
            _metrics.Finished(report.CheckedAt);
            var listed = report.Count(DnsblState.Listed);
            var errors = report.Count(DnsblState.Error);
            DnsblLog.Checked(_logger, report.Results.Count, listed, errors);
            foreach (var change in changes)
            {
                ListingChanged?.Invoke(this, change);
            }

            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    private List<DnsblChangeEventArgs> Record(DnsblReport report)
    {
        var changes = new List<DnsblChangeEventArgs>();
        if (report.AddressProblem is { } problem)
        {
            DnsblLog.AddressUnknown(_logger, problem);
            foreach (var list in _settings.IpLists)
            {
                _metrics.Error(list, DnsblErrorReason.AddressUnknown);
            }
        }

        var errors = new List<string>();
        lock (_known)
        {
            foreach (var result in report.Results)
            {
                if (result.State == DnsblState.Error)
                {
                    _metrics.Error(result.List, result.Error!.Value);
                    errors.Add($"{result.Target} on {result.List.Name}: {DnsblMetrics.Label(result.Error.Value)} {result.Answer}".TrimEnd());
                    continue;
                }

                var key = (result.List.Name, result.Target);
                var wasListed = _known.TryGetValue(key, out var previous) && previous.State == DnsblState.Listed;
                _known[key] = result;
                _metrics.Known(result);
                if (result.State == DnsblState.Listed && !wasListed)
                {
                    DnsblLog.Listed(_logger, result.Target, result.List.Name, result.Answer, result.Reason ?? "no reason given (no TXT record)");
                    changes.Add(new DnsblChangeEventArgs(result, report.CheckedAt));
                }
                else if (result.State == DnsblState.Clean && wasListed)
                {
                    DnsblLog.Delisted(_logger, result.Target, result.List.Name);
                    changes.Add(new DnsblChangeEventArgs(result, report.CheckedAt));
                }
            }

            Forget(report);
        }

        if (errors.Count > 0 && _logger.IsEnabled(LogLevel.Warning))
        {
            DnsblLog.Errors(_logger, errors.Count, string.Join("; ", errors));
        }

        return changes;
    }

    /// <summary>A target no longer checked (a detected address that changed) keeps no state and no series.</summary>
    private void Forget(DnsblReport report)
    {
        var checkedKeys = report.Results.Select(r => (r.List.Name, r.Target)).ToHashSet();
        foreach (var (key, result) in _known.ToArray())
        {
            var addressesUnknown = report.AddressProblem is not null && result.List.Kind == DnsblListKind.Ip;
            if (!checkedKeys.Contains(key) && !addressesUnknown)
            {
                _known.Remove(key);
                _metrics.Forget(key.List, key.Target);
            }
        }
    }
}
