using System.Collections.Frozen;
using System.Text.Json;
using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// The <c>provider</c> label of <c>mailrelay_delivery_attempts_total</c>. Recipient domains are unbounded and so are
/// the providers they resolve to, so the label names only providers the daemon knows in advance: the consumer
/// providers of <see cref="ProviderDirectory"/> and the providers of the domains the pacing configuration names
/// (RATE_LIMIT_DOMAINS, ADAPTIVE_RATE_DOMAINS, WARMUP_DOMAINS, each mapped to its provider as pacing maps it). Every
/// other provider is <see cref="Other"/>.
/// </summary>
internal sealed class ProviderLabels
{
    /// <summary>The label of every provider not named in advance.</summary>
    public const string Other = "other";

    private readonly FrozenSet<string> _named;
    private readonly ProviderResolver? _resolver;

    /// <param name="pacing">The daemon's pacing registry, active or not; null: only the consumer providers are named, and
    /// an unpaced job is <see cref="Other"/>.</param>
    public ProviderLabels(PacingRegistry? pacing)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        named.UnionWith(ProviderDirectory.MxAliases.Values);
        named.UnionWith(ProviderDirectory.ConsumerDomains.Values);
        named.UnionWith(ProviderDirectory.ConsumerBrands.Values);
        if (pacing is not null)
        {
            _resolver = pacing.Resolver;
            var options = pacing.Options;
            IEnumerable<string> configured = [.. NamesOf(options.RateLimit.Domains), .. NamesOf(options.AdaptiveRate.Domains), .. options.Warmup.Domains];
            foreach (var domain in configured)
            {
                if (ProviderOf(pacing.Resolver, domain) is { } provider)
                {
                    named.Add(provider.Value);
                }
            }
        }

        named.Remove(Other);
        _named = named.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The providers that have a label of their own.</summary>
    public IReadOnlyCollection<string> Named => _named;

    /// <summary>
    /// The label of a finished job: the provider the pacer classified its next hop as when it paced the job. An unpaced
    /// job is not classified by an MX lookup of its own (that would double the delivery's DNS queries): it takes the
    /// provider known for its domain without one (learned from an earlier lookup, a consumer domain or brand).
    /// </summary>
    public string Of(DeliveryJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var provider = job.Provider ?? (_resolver is null ? null : ProviderOf(_resolver, job.Domain));
        return provider is { } known && _named.Contains(known.Value) ? known.Value : Other;
    }

    private static ProviderKey? ProviderOf(ProviderResolver resolver, string domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        try
        {
            return resolver.ForDomain(domain);
        }
        catch (ArgumentException)
        {
            // A name with nothing left after normalising (a lone dot): no provider, and never a reason to lose a record.
            return null;
        }
    }

    private static IEnumerable<string> NamesOf(JsonElement table) =>
        table.ValueKind == JsonValueKind.Object ? table.EnumerateObject().Select(entry => entry.Name) : [];
}
