using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using MailRelay.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace MailRelay.Tests.Webhooks;

/// <summary>One endpoint's dispatcher on a fake outbox and a fake clock, with its own metrics registry; a second harness on the same outbox is the dispatcher after a restart.</summary>
internal sealed class WebhookHarness : IAsyncDisposable
{
    public const string Secret = "webhook-test-secret-0123456789";

    /// <summary>Longer than any backoff the tests reach, so a request's timeout timer is told apart from a backoff timer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly WebhookSender _sender;
    private readonly ChangeSignal _acknowledged = new();
    private Task? _run;

    private WebhookHarness(WebhookEndpoint endpoint, FakeEventOutbox outbox, TimerRecordingTimeProvider time, int maxInFlight, TimeSpan maxAge, TimeSpan timeout)
    {
        Endpoint = endpoint;
        Outbox = outbox;
        Time = time;
        Registry = Metrics.NewCustomRegistry();
        WebhookMetrics = new WebhookMetrics(Registry, [endpoint]);
        _sender = new WebhookSender(endpoint, new WebhookSignature(Secret), timeout, maxInFlight, time);
        Dispatcher = new WebhookDispatcher(_sender, outbox, WebhookMetrics, maxInFlight, maxAge, time, new Random(17), NullLogger.Instance);
        WebhookMetrics.Observe(Dispatcher);
        outbox.Acknowledged += _acknowledged.Raise;
    }

    public WebhookEndpoint Endpoint { get; }

    public FakeEventOutbox Outbox { get; }

    public TimerRecordingTimeProvider Time { get; }

    public CollectorRegistry Registry { get; }

    public WebhookMetrics WebhookMetrics { get; }

    public WebhookDispatcher Dispatcher { get; }

    public static WebhookHarness Create(
        Uri url,
        IReadOnlySet<string>? events = null,
        int maxInFlight = 10,
        TimeSpan? maxAge = null,
        TimeSpan? timeout = null,
        FakeEventOutbox? outbox = null,
        TimerRecordingTimeProvider? time = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new(new WebhookEndpoint("app", url, events, headers ?? []), outbox ?? new FakeEventOutbox(), time ?? new TimerRecordingTimeProvider(),
            maxInFlight, maxAge ?? TimeSpan.FromHours(72), timeout ?? Timeout);

    public void Start()
    {
        Dispatcher.Register();
        _run = Task.Run(() => Dispatcher.RunAsync(_stop.Token));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }
    }

    /// <summary>Completes once the endpoint's acknowledged position in the outbox is <paramref name="position"/> or beyond.</summary>
    public Task WaitForAcknowledgedAsync(long position) =>
        _acknowledged.WaitUntilAsync(() => Outbox.PositionOf(Endpoint.ConsumerName) >= position, TimeSpan.FromSeconds(30));

    /// <summary>The backoff timers created so far: every timer but the requests' timeouts.</summary>
    public IReadOnlyList<TimeSpan> BackoffTimers => Time.DueTimes.Where(d => d != Timeout).ToArray();

    /// <summary>Waits until <paramref name="count"/> backoff timers exist (the dispatcher is waiting on the last one).</summary>
    public async Task WaitForBackoffTimersAsync(int count)
    {
        while (true)
        {
            // The count is read before the check: a timer made between the two is then not waited for again.
            var seen = Time.DueTimes.Count;
            if (BackoffTimers.Count >= count)
            {
                return;
            }

            await Time.WaitForTimersAsync(seen + 1, TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>A scrape of the endpoint's metrics: the value of <paramref name="name"/> with the given labels (endpoint="app" added).</summary>
    public async Task<double> MetricAsync(string name, params (string Name, string Value)[] labels)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        var samples = MetricSample.ParseAll(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        (string Name, string Value)[] wanted = [.. labels, ("endpoint", "app")];
        var sample = Assert.Single(samples, s => s.Name == name && wanted.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));
        return sample.Value;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Outbox.Acknowledged -= _acknowledged.Raise;
        _sender.Dispose();
        _stop.Dispose();
    }
}
