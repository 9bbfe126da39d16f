using MailRelay.Configuration;
using MailRelay.Dns;
using MailRelay.Observability;
using MailRelay.RateLimiting;

namespace MailRelay.Inbound.Authentication;

public static class InboundAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// The inbound verifier, asking through DNS_SERVERS and signing its results as MAIL_HOSTNAME. It is made when the inbound
    /// pipeline first asks for it (the Public Suffix List is read then), so a relay without inbound mail pays nothing.
    /// </summary>
    public static IServiceCollection AddInboundAuthentication(this IServiceCollection services, RelayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(sp => new InboundAuthenticationMetrics(sp.GetRequiredService<RelayMetrics>().Registry));
        services.AddSingleton<IMessageAuthenticator>(sp => new MessageAuthenticator(
            configuration.InboundSecurity,
            configuration.HostName,
            DnsLookupClientFactory.Create(configuration.Delivery.DnsServers, DnsLookupClientFactory.DefaultTimeout),
            PublicSuffixList.LoadEmbedded(icannOnly: false),
            sp.GetRequiredService<InboundAuthenticationMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MessageAuthenticator>>()));
        return services;
    }
}
