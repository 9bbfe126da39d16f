using MailRelay.Configuration;
using MailRelay.Delivery.Transport;
using MailRelay.Queue;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailRelay.Bounces;

/// <summary>Registers the VERP return paths and their verifier.</summary>
public static class BounceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IBounceAddressVerifier"/> (always: bounces to return paths issued before VERP was turned off
    /// still verify while the secret stays) and, under BOUNCE_VERP_ENABLED, the <see cref="IReturnPathSource"/> the
    /// delivery transport takes its MAIL FROM from. Call before <c>AddSmtpDeliveryTransport</c>.
    /// </summary>
    public static IServiceCollection AddBounceAddresses(this IServiceCollection services, RelayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        var map = new VerpRecipientMap(configuration.DataDirectory, configuration.Bounce.MaxAge, new PosixDiskSync());
        services.AddSingleton<IBounceAddressVerifier>(new BounceAddressVerifier(configuration.Bounce.HmacSecret, configuration.Bounce.MaxAge, map));
        if (configuration.Bounce.VerpEnabled)
        {
            services.AddSingleton<IReturnPathSource>(sp => VerpReturnPath.FromConfiguration(configuration, map, sp.GetRequiredService<TimeProvider>())
                ?? throw new InvalidOperationException("BOUNCE_VERP_ENABLED without a secret passed the configuration checks."));
        }

        return services;
    }
}
