using System.Net;

namespace MailRelay.DnsPublishing.Addresses;

/// <summary>DNS_EXTERNAL_IPS: the operator names the addresses; they win over any detection.</summary>
public sealed class StaticAddressSource : IPublicAddressSource
{
    private readonly IReadOnlyList<IPAddress> _addresses;

    public StaticAddressSource(IReadOnlyList<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("At least one address is needed.", nameof(addresses));
        }

        _addresses = addresses;
    }

    public string Description => "DNS_EXTERNAL_IPS";

    public Task<IReadOnlyList<IPAddress>> GetAddressesAsync(CancellationToken cancellationToken) => Task.FromResult(_addresses);
}
