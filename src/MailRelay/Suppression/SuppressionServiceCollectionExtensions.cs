using MailRelay.Configuration;
using MailRelay.Events;
using Prometheus;

namespace MailRelay.Suppression;

/// <summary>Registers the suppression list under SUPPRESS_AFTER_HARD_BOUNCE.</summary>
public static class SuppressionServiceCollectionExtensions
{
    /// <summary>
    /// When SUPPRESS_AFTER_HARD_BOUNCE is set: the store, its metrics, the RCPT policy the session handler asks, and
    /// the recorder as an <see cref="IRelayEventListener"/> of the event outbox and a hosted service.
    /// </summary>
    public static IServiceCollection AddSuppression(this IServiceCollection services, RelayConfiguration configuration, CollectorRegistry registry, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.Bounce.SuppressAfterHardBounce is not { } duration)
        {
            return services;
        }

        var store = new SuppressionStore(configuration.DataDirectory, time);
        var metrics = new SuppressionMetrics(registry, store);
        services.AddSingleton(store);
        services.AddSingleton(metrics);
        services.AddSingleton(new SuppressionPolicy(store, metrics));
        services.AddSingleton(sp => new SuppressionRecorder(store, metrics, duration, time, sp.GetRequiredService<ILogger<SuppressionRecorder>>()));
        services.AddSingleton<IRelayEventListener>(sp => sp.GetRequiredService<SuppressionRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<SuppressionRecorder>());
        return services;
    }
}
