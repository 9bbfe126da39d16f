using System.Net;
using MailRelay.Configuration;
using MailRelay.Delivery.Transport;
using MailRelay.Dns;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>Builds transports for tests, with short timeouts and a DNS server of the test's choosing.</summary>
internal static class TransportFactory
{
    /// <summary>A name server address nothing answers on: any lookup through it fails.</summary>
    public static readonly IPEndPoint SilentDns = new(IPAddress.Loopback, 9);

    public static SmtpDeliveryTransport Create(
        SmtpTransportOptions options, IPEndPoint? dnsServer = null, IMessageSigner? signer = null, TimeProvider? timeProvider = null)
    {
        var lookup = DnsLookupClientFactory.Create([dnsServer ?? SilentDns], TimeSpan.FromSeconds(1));
        return new SmtpDeliveryTransport(
            options, new MailExchangerResolver(lookup, InetProtocols.IPv4), timeProvider ?? TimeProvider.System, NullLogger<SmtpDeliveryTransport>.Instance, signer);
    }

    public static SmtpTransportOptions RouteTo(string domain, IPEndPoint endPoint) => new()
    {
        HostName = "relay.origin.test",
        Routes = new Dictionary<string, DeliveryRoute> { [domain] = new(endPoint.Address.ToString(), endPoint.Port) },
        ConnectTimeout = TimeSpan.FromSeconds(5),
        CommandTimeout = TimeSpan.FromSeconds(10),
        TransactionTimeout = TimeSpan.FromSeconds(10),
    };
}
