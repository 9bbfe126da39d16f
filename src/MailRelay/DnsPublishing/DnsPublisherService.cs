using System.Threading.Channels;
using MailRelay.Configuration;

namespace MailRelay.DnsPublishing;

/// <summary>
/// Keeps the records published while the daemon runs: a run at start, then every DNS_CHECK_INTERVAL and at once when
/// a DKIM key under DKIM_KEY_DIR is added or changed (<c>dkim generate</c>). A failed run never touches mail: it is
/// logged, counted and retried sooner (30 s, doubling, at most the interval). A change that a provider has still to
/// carry out (external-dns) is looked at again after 30 s.
/// </summary>
public sealed class DnsPublisherService : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);

    private readonly DnsPublisher _publisher;
    private readonly RelayConfiguration _configuration;
    private readonly DnsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<DnsPublisherService> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileSystemWatcher? _keyWatcher;
    private string _lastAddresses = string.Empty;

    public DnsPublisherService(DnsPublisher publisher, RelayConfiguration configuration, DnsMetrics metrics, TimeProvider time, ILogger<DnsPublisherService> logger)
    {
        _publisher = publisher;
        _configuration = configuration;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after every run with its result, or with the exception that ended it.</summary>
    public event EventHandler<DnsRunEventArgs>? RunFinished;

    /// <summary>Runs again now (the key watcher calls it; so can a test).</summary>
    public void Trigger() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = _configuration.Dns.CheckInterval;
        var addressSource = _publisher.AddressSource?.Description ?? "nowhere (no record needs them)";
        DnsPublishLog.Started(_logger, _publisher.Provider.Name, interval, addressSource);
        _keyWatcher = WatchKeys(_configuration.Dkim);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            DnsRunEventArgs outcome;
            try
            {
                var result = await _publisher.RunAsync(apply: true, stoppingToken);
                _metrics.RunSucceeded(result, _time.GetUtcNow());
                NoteAddresses(result);
                failures = 0;
                wait = result.Count(DnsRecordState.Pending) > 0 ? Min(FirstRetry, interval) : interval;
                outcome = new DnsRunEventArgs(result, null);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (DnsPublisher.IsRunFailure(e))
            {
                _metrics.RunFailed();
                wait = Min(interval, FirstRetry * Math.Pow(2, Math.Min(failures, 10)));
                failures++;
                DnsPublishLog.Failed(_logger, _publisher.Provider.Name, wait, e.Message);
                outcome = new DnsRunEventArgs(null, e);
            }

            // The timer exists before anyone hears of the run, so a clock moved in answer to it always reaches it.
            var waiting = WaitAsync(wait, stoppingToken);
            RunFinished?.Invoke(this, outcome);
            await waiting;
        }
    }

    public override void Dispose()
    {
        _keyWatcher?.Dispose();
        base.Dispose();
    }

    /// <summary>Until the wait is over, a key changes (<see cref="Trigger"/>) or the service stops.</summary>
    private Task WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, _time, cancel.Token);
        var woken = _wake.Reader.WaitToReadAsync(cancel.Token).AsTask();
        return FinishAsync();

        async Task FinishAsync()
        {
            try
            {
                await Task.WhenAny(delay, woken);
            }
            finally
            {
                await cancel.CancelAsync();
                cancel.Dispose();
                _wake.Reader.TryRead(out _);
            }
        }
    }

    private void NoteAddresses(DnsPublishResult result)
    {
        var current = string.Join(", ", result.Addresses);
        if (_lastAddresses.Length > 0 && current != _lastAddresses)
        {
            DnsPublishLog.AddressesChanged(_logger, _lastAddresses, current);
        }

        _lastAddresses = current;
    }

    private FileSystemWatcher? WatchKeys(DkimSettings dkim)
    {
        if (!dkim.Enabled || !_configuration.Dns.Records.Contains(RecordKind.Dkim) || !Directory.Exists(dkim.KeyDirectory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(dkim.KeyDirectory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.DirectoryName,
        };
        watcher.Created += (_, _) => Trigger();
        watcher.Changed += (_, _) => Trigger();
        watcher.Renamed += (_, _) => Trigger();
        watcher.Deleted += (_, _) => Trigger();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
