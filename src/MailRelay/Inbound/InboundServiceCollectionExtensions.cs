using MailRelay.Bounces;
using MailRelay.Configuration;
using MailRelay.Events;
using MailRelay.Inbound.Dmarc;
using MailRelay.Policy;
using MailRelay.Queue;
using Prometheus;

namespace MailRelay.Inbound;

/// <summary>The feedback addresses in the daemon: the RCPT routing always, the receiving side with INBOUND_ENABLED.</summary>
public static class InboundServiceCollectionExtensions
{
    public static IServiceCollection AddInboundMail(this IServiceCollection services, RelayConfiguration configuration, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var inbound = configuration.Inbound;
        var addresses = new InboundAddresses(inbound, configuration.Domains.Select(d => d.Name), configuration.HostName);
        services.AddSingleton(addresses);
        services.AddSingleton(sp => new InboundRouting(addresses, sp.GetService<IBounceAddressVerifier>(), sp.GetRequiredService<TimeProvider>()));
        if (!inbound.Enabled)
        {
            return services;
        }

        services.AddSingleton(new InboundMetrics(registry));
        services.AddSingleton(new DmarcMetrics(registry));
        services.AddSingleton(new InboundStore(configuration.DataDirectory));
        services.AddSingleton(sp => new InboundProcessor(
            inbound,
            configuration.EventsClientIdHeader,
            sp.GetService<IBounceAddressVerifier>(),
            sp.GetService<IMessageAuthenticator>(),
            sp.GetService<IEventOutbox>(),
            inbound.ForwardTo is { } forwardTo ? new InboundForwarder(sp.GetRequiredService<Spool>(), forwardTo, configuration.HostName) : null,
            sp.GetRequiredService<InboundStore>(),
            sp.GetRequiredService<DmarcMetrics>(),
            sp.GetRequiredService<InboundMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<InboundProcessor>>()));
        services.AddSingleton(sp => new InboundReceiver(
            configuration.DataDirectory, configuration.HostName, sp.GetRequiredService<InboundProcessor>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
