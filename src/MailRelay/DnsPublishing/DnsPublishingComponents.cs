using MailRelay.Configuration;
using MailRelay.DnsPublishing.Addresses;
using MailRelay.DnsPublishing.Cloudflare;
using MailRelay.DnsPublishing.Kubernetes;
using MailRelay.DnsPublishing.Rfc2136;

namespace MailRelay.DnsPublishing;

/// <summary>
/// The publisher with the provider and address source DNS_PROVIDER and the DNS_* variables choose, and what they
/// hold open (an HTTP client, a Kubernetes client). The daemon and the <c>dns</c> commands build it the same way.
/// </summary>
public sealed class DnsPublishingComponents : IDisposable
{
    /// <summary>How long one answer of an address-detection service may take.</summary>
    private static readonly TimeSpan DetectionTimeout = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _owned;

    private DnsPublishingComponents(DnsPublisher publisher, List<IDisposable> owned)
    {
        Publisher = publisher;
        _owned = owned;
    }

    public DnsPublisher Publisher { get; }

    /// <summary>Builds the components; with DNS_PROVIDER=none the provider is <see cref="ManualDnsProvider"/> (nothing is written).</summary>
    /// <exception cref="KubernetesConnectionException">The Kubernetes API is needed and cannot be reached from here.</exception>
    public static DnsPublishingComponents Create(RelayConfiguration configuration, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        var dns = configuration.Dns;
        var owned = new List<IDisposable>();
        try
        {
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
            http.DefaultRequestHeaders.UserAgent.ParseAdd("MailRelay/" + Cli.CommandLine.Version);
            owned.Add(http);
            KubernetesConnection? kubernetes = null;
            KubernetesConnection Kubernetes()
            {
                if (kubernetes is null)
                {
                    kubernetes = KubernetesConnection.Open(dns.KubernetesNamespace, loggers.CreateLogger<KubernetesConnection>());
                    owned.Add(kubernetes);
                }

                return kubernetes;
            }

            IDnsRecordProvider provider = dns.Provider switch
            {
                DnsProviderKind.Cloudflare => new CloudflareDnsProvider(dns.Cloudflare!, http, time, loggers.CreateLogger<CloudflareDnsProvider>()),
                DnsProviderKind.Rfc2136 => new Rfc2136DnsProvider(dns.Rfc2136!, time, loggers.CreateLogger<Rfc2136DnsProvider>()),
                DnsProviderKind.ExternalDns => new ExternalDnsProvider(
                    dns.ExternalDns!, dns.OwnerId, Kubernetes().Client, Kubernetes().Namespace, loggers.CreateLogger<ExternalDnsProvider>()),
                _ => new ManualDnsProvider(),
            };

            IPublicAddressSource? addresses = null;
            if (dns.ExternalIps.Count > 0)
            {
                addresses = new StaticAddressSource(dns.ExternalIps);
            }
            else if (dns.IpDetection && dns.KubernetesService is { } service)
            {
                addresses = new KubernetesServiceAddressSource(Kubernetes().Client, Kubernetes().Namespace, service);
            }
            else if (dns.IpDetection)
            {
                addresses = new HttpAddressDetector(dns.IpDetectUrls, http, DetectionTimeout, time);
            }

            var publisher = new DnsPublisher(configuration, provider, addresses, loggers.CreateLogger<DnsPublisher>());
            return new DnsPublishingComponents(publisher, owned);
        }
        catch
        {
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var disposable in _owned)
        {
            disposable.Dispose();
        }
    }
}
