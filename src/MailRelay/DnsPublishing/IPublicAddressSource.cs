using System.Net;

namespace MailRelay.DnsPublishing;

/// <summary>The relay's public addresses: for its A/AAAA records and the ip4:/ip6: of its SPF.</summary>
public interface IPublicAddressSource
{
    /// <summary>How the addresses are found, for logs and <c>dns status</c> ("DNS_EXTERNAL_IPS", "Service mail/relay").</summary>
    string Description { get; }

    /// <summary>The addresses, never empty.</summary>
    /// <exception cref="DnsProviderException">No address could be found.</exception>
    Task<IReadOnlyList<IPAddress>> GetAddressesAsync(CancellationToken cancellationToken);
}
