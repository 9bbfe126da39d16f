using MailRelay.Configuration;
using MailRelay.Queue;
using Prometheus;

namespace MailRelay.Delivery.Scheduling;

/// <summary>Registers the queue manager with the daemon's host.</summary>
public static class QueueManagerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="QueueSchedulerOptions"/>, <see cref="QueueMetrics"/> (in <paramref name="registry"/>)
    /// and <see cref="QueueScheduler"/> as a singleton that is also a hosted service. Expects
    /// <see cref="Spool"/>, <see cref="IDeliveryTransport"/> and <see cref="TimeProvider"/> to be registered;
    /// a registered <see cref="RateLimiting.PacingRegistry"/> turns delivery pacing on, a registered
    /// <see cref="Events.IEventOutbox"/> receives the event of every recipient outcome.
    /// </summary>
    public static IServiceCollection AddQueueManager(
        this IServiceCollection services,
        RelayConfiguration configuration,
        CollectorRegistry registry,
        int maxConcurrency = QueueSchedulerOptions.DefaultMaxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(registry);
        services.AddSingleton(QueueSchedulerOptions.FromConfiguration(configuration) with { MaxConcurrency = maxConcurrency });
        services.AddSingleton(new QueueMetrics(registry));
        services.AddSingleton(sp => new QueueScheduler(
            sp.GetRequiredService<QueueSchedulerOptions>(),
            sp.GetRequiredService<Spool>(),
            sp.GetRequiredService<IDeliveryTransport>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueueScheduler>>(),
            sp.GetRequiredService<QueueMetrics>(),
            sp.GetService<RateLimiting.PacingRegistry>(),
            sp.GetService<Events.IEventOutbox>()));
        services.AddHostedService(sp => sp.GetRequiredService<QueueScheduler>());
        return services;
    }
}
