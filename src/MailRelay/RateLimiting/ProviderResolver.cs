using System.Collections.Concurrent;

namespace MailRelay.RateLimiting;

/// <summary>
/// Maps MX host names and recipient domains to a <see cref="ProviderKey"/>. A recipient domain resolves through
/// what an earlier MX lookup taught us, then the consumer-domain directory, then its own registrable domain; so a
/// Google Workspace domain shares Google's state as soon as its MX has been seen once.
/// </summary>
public sealed class ProviderResolver
{
    /// <summary>Bound on remembered domains, so a flood of distinct recipient domains cannot grow memory forever.</summary>
    public const int DefaultCacheCapacity = 100_000;

    private readonly PublicSuffixList _suffixes;
    private readonly ConcurrentDictionary<string, ProviderKey> _learned = new(StringComparer.Ordinal);
    private readonly int _cacheCapacity;
    private long _learnedVersion;

    public ProviderResolver(PublicSuffixList suffixes, int cacheCapacity = DefaultCacheCapacity)
    {
        ArgumentNullException.ThrowIfNull(suffixes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheCapacity);
        _suffixes = suffixes;
        _cacheCapacity = cacheCapacity;
    }

    /// <summary>Number of domains whose provider was learned from an MX lookup.</summary>
    public int LearnedCount => _learned.Count;

    /// <summary>Grows whenever the learned cache changes, so a saver can tell whether there is anything new to write.</summary>
    public long LearnedVersion => Interlocked.Read(ref _learnedVersion);

    /// <summary>Up to <paramref name="max"/> learned domain → provider pairs, ordered by domain (for persistence).</summary>
    public IReadOnlyList<KeyValuePair<string, ProviderKey>> LearnedEntries(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return _learned.OrderBy(entry => entry.Key, StringComparer.Ordinal).Take(max).ToArray();
    }

    /// <summary>Puts back a pair learned by an earlier process, without an MX lookup.</summary>
    public void Remember(string domain, ProviderKey provider) => Store(PublicSuffixList.Normalise(domain), provider);

    /// <summary>The provider operating the mail exchanger <paramref name="mxHost"/>.</summary>
    public ProviderKey FromMxHost(string mxHost)
    {
        var registrable = _suffixes.GetRegistrableDomain(mxHost);
        return new ProviderKey(ProviderDirectory.MxAliases.GetValueOrDefault(registrable, registrable));
    }

    /// <summary>The best provider known for mail to <paramref name="domain"/> before (or without) an MX lookup.</summary>
    public ProviderKey ForDomain(string domain)
    {
        var name = PublicSuffixList.Normalise(domain);
        if (_learned.TryGetValue(name, out var learned))
        {
            return learned;
        }

        if (ProviderDirectory.ConsumerDomains.TryGetValue(name, out var consumer))
        {
            return new ProviderKey(consumer);
        }

        var registrable = _suffixes.GetRegistrableDomain(name);
        var firstLabel = registrable.Split('.')[0];
        if (registrable.Contains('.', StringComparison.Ordinal) && ProviderDirectory.ConsumerBrands.TryGetValue(firstLabel, out var brand))
        {
            return new ProviderKey(brand);
        }

        return new ProviderKey(ProviderDirectory.MxAliases.GetValueOrDefault(registrable, registrable));
    }

    /// <summary>Records that <paramref name="domain"/>'s best MX is <paramref name="mxHost"/>; returns its provider.</summary>
    public ProviderKey LearnMx(string domain, string mxHost)
    {
        var provider = FromMxHost(mxHost);
        Store(PublicSuffixList.Normalise(domain), provider);
        return provider;
    }

    private void Store(string name, ProviderKey provider)
    {
        if (_learned.TryGetValue(name, out var known) && known == provider)
        {
            return;
        }

        if (_learned.Count >= _cacheCapacity)
        {
            // Dropping everything is crude but bounded; entries refill from the next MX lookups.
            _learned.Clear();
        }

        _learned[name] = provider;
        Interlocked.Increment(ref _learnedVersion);
    }

    /// <summary>
    /// The provider of <paramref name="domain"/> when it is known without an MX lookup: learned from an earlier
    /// lookup, or a well-known consumer domain or brand.
    /// </summary>
    public bool TryGetKnown(string domain, out ProviderKey provider)
    {
        var name = PublicSuffixList.Normalise(domain);
        if (_learned.TryGetValue(name, out provider))
        {
            return true;
        }

        var registrable = _suffixes.GetRegistrableDomain(name);
        if (ProviderDirectory.ConsumerDomains.ContainsKey(name)
            || (registrable.Contains('.', StringComparison.Ordinal) && ProviderDirectory.ConsumerBrands.ContainsKey(registrable.Split('.')[0])))
        {
            provider = ForDomain(name);
            return true;
        }

        provider = default;
        return false;
    }
}
