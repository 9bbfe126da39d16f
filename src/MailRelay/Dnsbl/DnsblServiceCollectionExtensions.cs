using MailRelay.Configuration;
using MailRelay.Dns;
using MailRelay.DnsPublishing;
using Prometheus;

namespace MailRelay.Dnsbl;

public static class DnsblServiceCollectionExtensions
{
    /// <summary>
    /// With DNSBL_ENABLED the monitor runs beside delivery, asking through DNS_SERVERS; otherwise the reason it is off is
    /// logged now. A detected sending address is the one DNS publishing detects, so it needs that registered first.
    /// </summary>
    public static IServiceCollection AddBlocklistMonitor(
        this IServiceCollection services, RelayConfiguration configuration, CollectorRegistry registry, ILoggerFactory startupLogs)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(startupLogs);
        var settings = configuration.Dnsbl;
        if (!settings.Enabled)
        {
            var logger = startupLogs.CreateLogger<DnsblService>();
            DnsblLog.Off(logger, settings.OffReason ?? "off");
            return services;
        }

        services.AddSingleton(new DnsblMetrics(registry, settings.Lists));
        services.AddSingleton(new DnsblChecker(DnsLookupClientFactory.Create(configuration.Delivery.DnsServers, DnsLookupClientFactory.DefaultTimeout)));
        services.AddSingleton(sp => new DnsblMonitor(
            settings,
            settings.AddressOrigin == DnsblAddressOrigin.Detected ? sp.GetService<DnsPublisher>()?.AddressSource : null,
            sp.GetRequiredService<DnsblChecker>(),
            sp.GetRequiredService<DnsblMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DnsblMonitor>>()));
        services.AddSingleton<DnsblService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsblService>());
        return services;
    }
}
