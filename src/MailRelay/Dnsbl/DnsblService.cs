using MailRelay.Configuration;

namespace MailRelay.Dnsbl;

/// <summary>
/// Runs the blocklist check at start and then every DNSBL_INTERVAL. A check never touches mail; one that fails as a
/// whole is logged and the next comes at its time.
/// </summary>
public sealed class DnsblService : BackgroundService
{
    private readonly DnsblMonitor _monitor;
    private readonly TimeProvider _time;
    private readonly ILogger<DnsblService> _logger;

    public DnsblService(DnsblMonitor monitor, TimeProvider time, ILogger<DnsblService> logger)
    {
        _monitor = monitor;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after every check with its report (null when the check failed as a whole).</summary>
    public event EventHandler<DnsblReport?>? CheckFinished;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = _monitor.Settings;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogStarted(settings);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            DnsblReport? report = null;
            try
            {
                report = await _monitor.CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is DnsClient.DnsResponseException or System.Net.Sockets.SocketException or IOException)
            {
                DnsblLog.Errors(_logger, 1, e.Message);
            }

            // The timer exists before anyone hears of the check, so a clock moved in answer to it always reaches it.
            var waiting = Task.Delay(settings.Interval, _time, stoppingToken);
            CheckFinished?.Invoke(this, report);
            try
            {
                await waiting;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void LogStarted(DnsblSettings settings)
    {
        var addresses = settings.IpLists.Count == 0 ? "none" : settings.AddressOrigin switch
        {
            DnsblAddressOrigin.Detected => "detected by " + (_monitor.AddressSource?.Description ?? "nothing"),
            DnsblAddressOrigin.None => "none",
            _ => string.Join(", ", settings.Addresses),
        };
        var domains = settings.DomainLists.Count == 0 || settings.Domains.Count == 0 ? "none" : string.Join(", ", settings.Domains);
        var ipLists = Names(settings.IpLists);
        var domainLists = Names(settings.DomainLists);
        DnsblLog.Started(_logger, addresses, ipLists, domains, domainLists, settings.Interval);
    }

    private static string Names(IReadOnlyList<DnsblList> lists) => lists.Count == 0 ? "no list" : string.Join(", ", lists.Select(l => l.Name));
}
