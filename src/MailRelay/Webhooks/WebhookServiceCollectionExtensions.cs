using MailRelay.Configuration;
using MailRelay.Events;
using Prometheus;

namespace MailRelay.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>With WEBHOOK_ENDPOINTS, the webhooks run beside delivery, fed from the event outbox (registered by the events part).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, RelayConfiguration configuration, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.Webhooks;
        if (!settings.Enabled)
        {
            return services;
        }

        services.AddSingleton(new WebhookMetrics(registry, settings.Endpoints));
        services.AddSingleton(sp => new WebhookService(
            settings,
            sp.GetRequiredService<IEventOutboxReader>(),
            sp.GetRequiredService<WebhookMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<WebhookService>());
        return services;
    }
}
