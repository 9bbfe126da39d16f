using System.Net;
using DnsClient;

namespace MailRelay.Dns;

/// <summary>Builds the DnsClient lookup client that delivery resolves MX and address records with.</summary>
public static class DnsLookupClientFactory
{
    /// <summary>The default time one query waits for an answer before it counts as a temporary failure.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A client for <paramref name="servers"/> (DNS_SERVERS), or for the system's resolvers when the list is
    /// empty. DnsClient's own cache is off: MX answers change, and a stale cache must not outlive the TTL
    /// the operator set. Errors come back as responses, not exceptions, so that NXDOMAIN and SERVFAIL can
    /// be told apart; truncated answers are retried over TCP; each query is tried twice per server.
    /// </summary>
    public static ILookupClient Create(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var options = servers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions(servers.Select(server => new NameServer(server)).ToArray());
        options.UseCache = false;
        options.Timeout = timeout;
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        // SERVFAIL from one server asks the next; an empty answer (no MX) is an answer, not an error.
        options.ContinueOnDnsError = true;
        options.ContinueOnEmptyResponse = false;
        return new LookupClient(options);
    }
}
