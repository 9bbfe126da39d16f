using MailRelay.RateLimiting;

namespace MailRelay.Delivery;

/// <summary>
/// Tells delivery pacing which provider receives a recipient domain's mail, so that every domain hosted by
/// one provider shares one pacing state. Implemented by the transport, which knows the routes.
/// </summary>
public interface IDestinationClassifier
{
    /// <summary>
    /// The provider for <paramref name="domain"/>: known at once for routed domains, learned domains and
    /// well-known consumer domains, otherwise learned from an MX lookup. Null when the domain cannot be
    /// routed now (no such domain, null MX, DNS trouble): the pacer then uses the domain's own key.
    /// </summary>
    ValueTask<ProviderKey?> ProviderOfAsync(string domain, ProviderResolver providers, CancellationToken cancellationToken);
}
