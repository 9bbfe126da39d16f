using Prometheus;

namespace MailRelay.Webhooks;

/// <summary>
/// The webhooks' metrics, one series set per endpoint, every series present from the start (at 0). The gauges are read
/// from the dispatchers at each scrape, so they are what the dispatchers hold at that moment: the backlog is the events
/// in the outbox from the endpoint's acknowledged position on.
/// </summary>
public sealed class WebhookMetrics
{
    /// <summary>The reasons of a failed attempt, as the <c>reason</c> label spells them.</summary>
    public static IReadOnlyList<string> FailureReasons { get; } = ["timeout", "connect", "network", "3xx", "4xx", "5xx"];

    /// <summary>Why an event is given up: too old (WEBHOOK_MAX_AGE), or refused for good (410 Gone).</summary>
    public static IReadOnlyList<string> DropReasons { get; } = ["max_age", "gone"];

    private readonly Counter _sent;
    private readonly Counter _failed;
    private readonly Counter _dropped;
    private readonly Gauge _backlog;
    private readonly Gauge _oldestAge;
    private readonly Gauge _inFlight;
    private readonly List<WebhookDispatcher> _dispatchers = [];

    public WebhookMetrics(CollectorRegistry registry, IEnumerable<WebhookEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(endpoints);
        var factory = Metrics.WithCustomRegistry(registry);
        _sent = factory.CreateCounter("mailrelay_webhook_events_sent_total", "Events the endpoint answered with 2xx.", "endpoint");
        _failed = factory.CreateCounter("mailrelay_webhook_attempts_failed_total",
            "Webhook requests that failed and will be retried, by reason (timeout, connect, network, 3xx, 4xx, 5xx).", "endpoint", "reason");
        _dropped = factory.CreateCounter("mailrelay_webhook_events_dropped_total",
            "Events given up without a 2xx: older than WEBHOOK_MAX_AGE (max_age), or answered 410 Gone (gone).", "endpoint", "reason");
        _backlog = factory.CreateGauge("mailrelay_webhook_backlog_events",
            "Events in the outbox the endpoint has not acknowledged yet (waiting, in flight or being retried).", "endpoint");
        _oldestAge = factory.CreateGauge("mailrelay_webhook_oldest_event_age_seconds",
            "Age of the oldest event the endpoint has not acknowledged; 0 when the backlog is empty.", "endpoint");
        _inFlight = factory.CreateGauge("mailrelay_webhook_requests_in_flight", "Webhook requests waiting for their answer.", "endpoint");
        foreach (var endpoint in endpoints)
        {
            _sent.WithLabels(endpoint.Name);
            _backlog.WithLabels(endpoint.Name);
            _oldestAge.WithLabels(endpoint.Name);
            _inFlight.WithLabels(endpoint.Name);
            foreach (var reason in FailureReasons)
            {
                _failed.WithLabels(endpoint.Name, reason);
            }

            foreach (var reason in DropReasons)
            {
                _dropped.WithLabels(endpoint.Name, reason);
            }
        }

        registry.AddBeforeCollectCallback(UpdateGauges);
    }

    public void Sent(string endpoint) => _sent.WithLabels(endpoint).Inc();

    public void Failed(string endpoint, string reason) => _failed.WithLabels(endpoint, reason).Inc();

    public void Dropped(string endpoint, string reason) => _dropped.WithLabels(endpoint, reason).Inc();

    /// <summary>Where the gauges of a dispatcher's endpoint are read at each scrape.</summary>
    internal void Observe(WebhookDispatcher dispatcher)
    {
        lock (_dispatchers)
        {
            _dispatchers.Add(dispatcher);
        }
    }

    internal void UpdateGauges()
    {
        WebhookDispatcher[] dispatchers;
        lock (_dispatchers)
        {
            dispatchers = [.. _dispatchers];
        }

        foreach (var dispatcher in dispatchers)
        {
            var state = dispatcher.Measure();
            var name = dispatcher.Endpoint.Name;
            _backlog.WithLabels(name).Set(state.Backlog);
            _oldestAge.WithLabels(name).Set(Math.Max(0, state.OldestAge.TotalSeconds));
            _inFlight.WithLabels(name).Set(state.InFlight);
        }
    }
}
