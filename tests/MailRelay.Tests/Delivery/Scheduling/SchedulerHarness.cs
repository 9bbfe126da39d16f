using MailRelay.Delivery.Scheduling;
using MailRelay.Queue;
using MailRelay.RateLimiting;
using MailRelay.Tests.Queue;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>A spool and a scheduler over a temp data directory, on fake time, with a fake transport.</summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    public const string HostName = "relay.example.com";

    private readonly TempDataDirectory _data = new();
    private bool _running;
    private bool _disposed;
    private QueueMetrics? _metrics;

    private readonly Func<TimeProvider, PacingRegistry>? _pacing;
    private readonly IDiskSync _diskSync;
    private readonly IDiskSync? _eventDisk;

    /// <param name="pacing">Builds the pacing registry on the harness's clock; null: unpaced.</param>
    /// <param name="diskSync">The scheduler's file operations; null: the real ones.</param>
    /// <param name="prepareDataDirectory">Runs on the empty data directory before the spool is made (e.g. mounts a small file system there).</param>
    /// <param name="eventDisk">With a value, the scheduler appends events to an outbox in the data directory over these file operations.</param>
    public SchedulerHarness(
        Func<QueueSchedulerOptions, QueueSchedulerOptions>? configure = null,
        Func<TimeProvider, PacingRegistry>? pacing = null,
        IDiskSync? diskSync = null,
        Action<string>? prepareDataDirectory = null,
        IDiskSync? eventDisk = null)
    {
        _eventDisk = eventDisk;
        _pacing = pacing;
        _diskSync = diskSync ?? new PosixDiskSync();
        prepareDataDirectory?.Invoke(_data.Path);
        Transport.Clock = Time;
        Options = new QueueSchedulerOptions
        {
            DataDirectory = _data.Path,
            HostName = HostName,
            RetrySchedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)],
            QueueLifetime = TimeSpan.FromHours(1),
            Jitter = 0,
        };
        Options = configure?.Invoke(Options) ?? Options;
        Spool = SpoolFixtures.CreateSpool(_data.Path, Time);
        Spool.Initialize();
        Scheduler = NewScheduler();
        Events = new SchedulerEvents(Scheduler);
    }

    public FakeTimeProvider Time { get; } = new(SpoolFixtures.Start);

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public RecordingLogger Logger { get; } = new();

    public QueueSchedulerOptions Options { get; }

    public string DataDirectory => _data.Path;

    public TempDataDirectory Data => _data;

    public Spool Spool { get; private set; }

    public FakeTransport Transport { get; } = new();

    /// <summary>The pacing registry of the current scheduler, when pacing is on.</summary>
    public PacingRegistry? Pacing { get; private set; }

    public QueueScheduler Scheduler { get; private set; }

    /// <summary>The outbox of the current scheduler, when the harness was made with an event disk.</summary>
    public MailRelay.Events.EventOutbox? Outbox { get; private set; }

    public SchedulerEvents Events { get; private set; }

    /// <summary>Starts the scheduler and waits for its first pass (recovery done, due work dispatched).</summary>
    public async Task StartAsync()
    {
        var firstPass = Scheduler.NextPassAsync();
        await Scheduler.StartAsync(CancellationToken.None);
        _running = true;
        await firstPass.WaitAsync(SchedulerEvents.Timeout);
    }

    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            await Scheduler.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Stops everything and starts a new spool and scheduler on the same directory, as a new process would.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        Scheduler.Dispose();
        await Spool.DisposeAsync();
        if (Outbox is not null)
        {
            await Outbox.DisposeAsync();
        }

        Spool = SpoolFixtures.CreateSpool(_data.Path, Time);
        Spool.Initialize();
        Scheduler = NewScheduler();
        Events = new SchedulerEvents(Scheduler);
        await StartAsync();
    }

    public Task<string> SubmitAsync(string sender, params string[] recipients) =>
        SpoolFixtures.CommitAsync(Spool, SpoolFixtures.Envelope(sender, recipients), SpoolFixtures.Message("hello"));

    public Task<string> SubmitAsync(SpoolEnvelope envelope) =>
        SpoolFixtures.CommitAsync(Spool, envelope, SpoolFixtures.Message("hello"));

    public MessageState StateOf(string queueId) =>
        MessageStateLog.Read(Path.Combine(_data.Active, queueId + ".state"));

    public bool Exists(string queueId) => File.Exists(Path.Combine(_data.Active, queueId + ".msg"));

    /// <summary>The metrics in Prometheus text form.</summary>
    public async Task<string> MetricsTextAsync()
    {
        using var output = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(output);
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        Scheduler.Dispose();
        await Spool.DisposeAsync();
        if (Outbox is not null)
        {
            await Outbox.DisposeAsync();
        }

        _data.Dispose();
    }

    private QueueScheduler NewScheduler()
    {
        Pacing = _pacing?.Invoke(Time);
        if (_eventDisk is not null)
        {
            Outbox = new MailRelay.Events.EventOutbox(_data.Path, _eventDisk, Logger);
            Outbox.Open();
        }

        return new(Options, Spool, Transport, Time, Logger, _metrics ??= new QueueMetrics(Registry), _diskSync, new Random(7), Pacing, Outbox);
    }
}
