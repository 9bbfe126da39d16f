using MailRelay.Configuration;
using MailRelay.RateLimiting.Sharing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace MailRelay.RateLimiting;

/// <summary>Registers delivery pacing with the daemon's host.</summary>
public static class PacingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PacingOptions"/>, <see cref="PacingMetrics"/> (in <paramref name="registry"/>), the
    /// <see cref="PacingRegistry"/> singleton and <see cref="PacingStateService"/> as a hosted service. Call it before
    /// the queue manager is added: hosted services start in order, so the saved state is restored before delivery
    /// starts, and stop in reverse order, so the last state is saved after delivery has stopped.
    /// Expects <see cref="TimeProvider"/> to be registered.
    /// </summary>
    public static IServiceCollection AddDeliveryPacing(this IServiceCollection services, RelayConfiguration configuration, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(registry);
        services.AddSingleton(PacingOptions.FromConfiguration(configuration));
        services.AddSingleton(new PacingMetrics(registry));
        if (configuration.Redis.Enabled)
        {
            // A source registered before this one takes its place (tests).
            services.TryAddSingleton(sp => ReplicaCount(configuration, sp));
            services.AddSingleton(sp =>
            {
                var shared = new RedisSharedPacing(
                    configuration.Redis,
                    sp.GetRequiredService<IReplicaCount>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<RedisSharedPacing>>());
                SharedPacingMetrics.Register(registry, shared);
                return shared;
            });
        }

        services.AddSingleton(sp => new PacingRegistry(
            sp.GetRequiredService<PacingOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PacingRegistry>>(),
            sp.GetRequiredService<PacingMetrics>(),
            sp.GetService<RedisSharedPacing>()));
        services.AddSingleton(sp => new PacingStateService(
            sp.GetRequiredService<PacingRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PacingStateService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<PacingStateService>());
        return services;
    }

    /// <summary>
    /// The StatefulSet's replica count when the relay runs as a StatefulSet pod (POD_NAME is <c>&lt;statefulset&gt;-&lt;ordinal&gt;</c>)
    /// and reaches the Kubernetes API as the scale-down handoff does (its service account, or KUBECONFIG); REPLICAS
    /// otherwise.
    /// </summary>
    private static IReplicaCount ReplicaCount(RelayConfiguration configuration, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<StatefulSetReplicaCount>>();
        if (!StatefulSetOrdinal.TryParse(configuration.Handoff.PodName, out var statefulSet, out _))
        {
            return new ConfiguredReplicaCount(configuration.Redis.Replicas);
        }

        Handoff.KubernetesReplicaCountSource source;
        try
        {
            source = Handoff.KubernetesReplicaCountSource.Open(configuration.Handoff, logger);
        }
        catch (Handoff.HandoffException)
        {
            return new ConfiguredReplicaCount(configuration.Redis.Replicas);
        }

        return new StatefulSetReplicaCount(source, statefulSet, configuration.Redis.Replicas, services.GetRequiredService<TimeProvider>(), logger);
    }
}
