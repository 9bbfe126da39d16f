using MailRelay.Configuration;
using MailRelay.Events;

namespace MailRelay.Webhooks;

/// <summary>
/// Runs one <see cref="WebhookDispatcher"/> per WEBHOOK_ENDPOINTS entry beside delivery. Mail never waits for a
/// webhook: the events are already durable in the outbox, and a receiver that is down only grows its backlog.
/// </summary>
public sealed class WebhookService : BackgroundService
{
    private readonly WebhookSettings _settings;
    private readonly List<WebhookDispatcher> _dispatchers = [];
    private readonly List<WebhookSender> _senders = [];
    private readonly ILogger<WebhookService> _logger;

    public WebhookService(WebhookSettings settings, IEventOutboxReader outbox, WebhookMetrics metrics, TimeProvider time, ILogger<WebhookService> logger)
        : this(settings, outbox, metrics, time, new Random(), logger)
    {
    }

    internal WebhookService(WebhookSettings settings, IEventOutboxReader outbox, WebhookMetrics metrics, TimeProvider time, Random random, ILogger<WebhookService> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        var secret = settings.Secret ?? throw new ArgumentException("Webhooks need a secret.", nameof(settings));
        _settings = settings;
        _logger = logger;
        var signature = new WebhookSignature(secret);
        foreach (var endpoint in settings.Endpoints)
        {
            var sender = new WebhookSender(endpoint, signature, settings.Timeout, settings.MaxInFlight, time);
            _senders.Add(sender);
            var dispatcher = new WebhookDispatcher(sender, outbox, metrics, settings.MaxInFlight, settings.MaxAge, time, random, logger);
            _dispatchers.Add(dispatcher);
            metrics.Observe(dispatcher);
        }
    }

    internal IReadOnlyList<WebhookDispatcher> Dispatchers => _dispatchers;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The positions are taken up before the host reports ready, so the gauges are right from the first scrape.
        foreach (var dispatcher in _dispatchers)
        {
            var position = dispatcher.Register();
            var endpoint = dispatcher.Endpoint;
            var types = endpoint.Events is null ? "every event" : string.Join(", ", endpoint.Events.Order(StringComparer.Ordinal));
            WebhookLog.Started(_logger, endpoint.Name, types, endpoint.Url, position, _settings.MaxInFlight, _settings.Timeout, _settings.MaxAge);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_dispatchers.Select(d => Task.Run(() => d.RunAsync(stoppingToken), CancellationToken.None)));

    public override void Dispose()
    {
        foreach (var sender in _senders)
        {
            sender.Dispose();
        }

        base.Dispose();
    }
}
