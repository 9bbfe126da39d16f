using System.Collections.Concurrent;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// Finds the zone a record name is published in. Zones named in CLOUDFLARE_ZONE_IDS win (longest suffix, no API
/// call, and the token then needs no Zone:Read); otherwise the API is asked with <c>GET /zones?name=</c> for the
/// name itself and then each parent in turn, so the first zone found is the longest suffix, and the number of calls
/// depends on the name's depth rather than on how many zones the account has (listing every zone would page
/// through all of them). Found zones are kept for the provider's lifetime; a name whose search found nothing is
/// asked again next time, so a zone added later is picked up without a restart.
/// </summary>
internal sealed class CloudflareZoneResolver
{
    /// <summary><c>GET /zones</c> accepts at most 50 per page.</summary>
    private const int ZonesPerPage = 50;

    private readonly IReadOnlyList<CloudflareZone> _configured;
    private readonly CloudflareApiClient _api;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CloudflareZone> _byRecordName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CloudflareZone> _byZoneName = new(StringComparer.Ordinal);

    public CloudflareZoneResolver(IReadOnlyDictionary<string, string> zoneIds, CloudflareApiClient api, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(zoneIds);
        _configured = [.. zoneIds.Select(pair => new CloudflareZone(Normalise(pair.Key), pair.Value))];
        _api = api;
        _logger = logger;
    }

    /// <exception cref="DnsProviderException">No zone holds <paramref name="name"/>, or the API could not be asked.</exception>
    public async Task<CloudflareZone> FindAsync(string name, CancellationToken cancellationToken)
    {
        name = Normalise(name);
        if (_byRecordName.TryGetValue(name, out var known))
        {
            return known;
        }

        var zone = Configured(name)
            ?? await LookUpAsync(name, cancellationToken)
            ?? throw new DnsProviderException(
                $"No Cloudflare zone holds {name}: name its zone in CLOUDFLARE_ZONE_IDS, or give the API token Zone:Read on it");
        _byRecordName[name] = zone;
        return zone;
    }

    private CloudflareZone? Configured(string name)
    {
        CloudflareZone? best = null;
        foreach (var zone in _configured)
        {
            if (IsWithin(name, zone.Name) && (best is null || zone.Name.Length > best.Name.Length))
            {
                best = zone;
            }
        }

        return best;
    }

    private async Task<CloudflareZone?> LookUpAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var candidate in Candidates(name))
        {
            if (_byZoneName.TryGetValue(candidate, out var known))
            {
                return known;
            }

            var zones = await _api.ListAsync(
                "/zones",
                [new("name", candidate)],
                ZonesPerPage,
                CloudflareJsonContext.Default.CloudflareEnvelopeIReadOnlyListCloudflareZoneJson,
                cancellationToken);

            // A zone name can be listed twice (added again in another account while the first is pending): prefer the active one.
            var match = zones
                .Where(zone => string.Equals(Normalise(zone.Name), candidate, StringComparison.Ordinal))
                .OrderByDescending(zone => string.Equals(zone.Status, "active", StringComparison.Ordinal))
                .FirstOrDefault();
            if (match is not null)
            {
                var zone = _byZoneName.GetOrAdd(candidate, new CloudflareZone(candidate, match.Id));
                CloudflareLog.ZoneFound(_logger, zone.Name, zone.Id, name);
                return zone;
            }
        }

        return null;
    }

    /// <summary>The name and its parents down to two labels: Cloudflare holds no zone for a top-level domain alone.</summary>
    private static IEnumerable<string> Candidates(string name)
    {
        var candidate = name;
        while (candidate.Contains('.', StringComparison.Ordinal))
        {
            yield return candidate;
            candidate = candidate[(candidate.IndexOf('.', StringComparison.Ordinal) + 1)..];
        }
    }

    private static bool IsWithin(string name, string zone) =>
        name.Length == zone.Length
            ? string.Equals(name, zone, StringComparison.Ordinal)
            : name.Length > zone.Length && name[name.Length - zone.Length - 1] == '.' && name.EndsWith(zone, StringComparison.Ordinal);

    private static string Normalise(string name) => name.TrimEnd('.').ToLowerInvariant();
}
