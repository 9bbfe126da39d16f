using DnsClient;
using MailRelay.Configuration;
using MailRelay.Dns;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailRelay.Delivery.Transport;

/// <summary>Registers the SMTP delivery transport and what it needs.</summary>
public static class DeliveryTransportServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IDeliveryTransport"/> (one shared <see cref="SmtpDeliveryTransport"/>, whose connection
    /// pool the container disposes), the DNS resolver built from DNS_SERVERS and INET_PROTOCOLS, and
    /// <see cref="TimeProvider.System"/> unless a TimeProvider is registered. An <see cref="IMessageSigner"/>
    /// registered in the container is used; without one messages go out unsigned. A registered
    /// <see cref="IReturnPathSource"/> gives each transaction its MAIL FROM. With an active
    /// <see cref="RateLimiting.PacingRegistry"/> the transport keeps its domain → provider map current.
    /// </summary>
    public static IServiceCollection AddSmtpDeliveryTransport(this IServiceCollection services, RelayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(SmtpTransportOptions.FromConfiguration(configuration));
        services.TryAddSingleton<ILookupClient>(_ =>
            DnsLookupClientFactory.Create(configuration.Delivery.DnsServers, DnsLookupClientFactory.DefaultTimeout));
        services.TryAddSingleton(provider =>
            new MailExchangerResolver(provider.GetRequiredService<ILookupClient>(), configuration.Delivery.InetProtocols));
        services.TryAddSingleton(provider => new SmtpDeliveryTransport(
            provider.GetRequiredService<SmtpTransportOptions>(),
            provider.GetRequiredService<MailExchangerResolver>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<SmtpDeliveryTransport>>(),
            provider.GetService<IMessageSigner>(),
            provider.GetService<RateLimiting.PacingRegistry>() is { IsActive: true } pacing ? pacing.Resolver : null,
            provider.GetService<IReturnPathSource>()));
        services.TryAddSingleton<IDeliveryTransport>(provider => provider.GetRequiredService<SmtpDeliveryTransport>());
        return services;
    }
}
