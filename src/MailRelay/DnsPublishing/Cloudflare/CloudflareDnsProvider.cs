using MailRelay.Configuration;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// Publishes through Cloudflare's v4 API. Cloudflare zones are shared with records the relay does not own, so
/// <see cref="RecordsAreExclusive"/> is false and the planner's ownership markers decide what may be changed; this
/// class only reads and writes records faithfully: it lists each zone once per read, translates records to and from
/// the canonical form, and applies changes one call each, in order.
/// </summary>
/// <remarks>
/// The API token needs Zone → DNS → Edit on the zones written, and Zone → Zone → Read unless every zone is named in
/// CLOUDFLARE_ZONE_IDS.
/// </remarks>
public sealed class CloudflareDnsProvider : IDnsRecordProvider
{
    private readonly CloudflareSettings _settings;
    private readonly CloudflareApiClient _api;
    private readonly CloudflareZoneResolver _zones;
    private readonly ILogger<CloudflareDnsProvider> _logger;

    public CloudflareDnsProvider(CloudflareSettings settings, HttpClient http, TimeProvider time, ILogger<CloudflareDnsProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _settings = settings;
        _logger = logger;
        _api = new CloudflareApiClient(settings.ApiUrl, settings.ApiToken, http, CloudflareRetryPolicy.Build(time, logger), logger);
        _zones = new CloudflareZoneResolver(settings.ZoneIds, _api, logger);
    }

    public string Name => "cloudflare";

    public bool RecordsAreExclusive => false;

    /// <summary>
    /// Records asked for per page of a zone listing. Cloudflare accepts 5 to 5,000,000; a thousand keeps a page
    /// well under a megabyte and a zone of a few thousand records within a handful of calls. Tests set it low to
    /// exercise paging.
    /// </summary>
    internal int RecordsPerPage { get; init; } = 1000;

    public async Task<IReadOnlyList<DnsRecord>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var zones = new Dictionary<string, CloudflareZone>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var zone = await _zones.FindAsync(name, cancellationToken);
            zones.TryAdd(zone.Id, zone);
        }

        var records = new List<DnsRecord>();
        foreach (var zone in zones.Values)
        {
            // The whole zone in one listing: the names of a domain (apex, _dmarc, the DKIM selector, the markers)
            // share it, and the type filter takes one type per call.
            var listed = await _api.ListAsync(
                $"/zones/{Uri.EscapeDataString(zone.Id)}/dns_records",
                [],
                RecordsPerPage,
                CloudflareJsonContext.Default.CloudflareEnvelopeIReadOnlyListCloudflareRecordJson,
                cancellationToken);
            var before = records.Count;
            foreach (var json in listed)
            {
                if (CloudflareRecordMapping.ToDnsRecord(json) is { } record)
                {
                    records.Add(record);
                }
            }

            CloudflareLog.ZoneRead(_logger, records.Count - before, zone.Name);
        }

        return records;
    }

    public async Task ApplyAsync(IReadOnlyList<DnsChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            var zone = await _zones.FindAsync(change.Name, cancellationToken);
            var records = $"/zones/{Uri.EscapeDataString(zone.Id)}/dns_records";
            switch (change.Action)
            {
                case DnsChangeAction.Create:
                    await WriteAsync(HttpMethod.Post, records, change.Replacement!, cancellationToken);
                    break;
                case DnsChangeAction.Update:
                    // PATCH, not PUT: a comment or tags someone put on the record in the dashboard stay.
                    await WriteAsync(HttpMethod.Patch, $"{records}/{RecordId(change)}", change.Replacement!, cancellationToken);
                    break;
                case DnsChangeAction.Delete:
                    await _api.SendAsync(
                        HttpMethod.Delete,
                        $"{records}/{RecordId(change)}",
                        [],
                        null,
                        CloudflareJsonContext.Default.CloudflareEnvelopeJsonElement,
                        cancellationToken);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(changes), change.Action, "Unknown change");
            }

            CloudflareLog.Applied(_logger, zone.Name, change);
        }
    }

    private Task<CloudflareEnvelope<CloudflareRecordJson>> WriteAsync(HttpMethod method, string path, DnsRecord record, CancellationToken cancellationToken) =>
        _api.SendAsync(
            method,
            path,
            [],
            CloudflareRecordMapping.ToRequestBody(record, _settings.Proxied),
            CloudflareJsonContext.Default.CloudflareEnvelopeCloudflareRecordJson,
            cancellationToken);

    /// <summary>The record id <see cref="ReadAsync"/> gave the record being changed.</summary>
    private static string RecordId(DnsChange change) =>
        change.Existing?.ProviderId is { Length: > 0 } id
            ? Uri.EscapeDataString(id)
            : throw new DnsProviderException($"Cannot {change}: the record carries no Cloudflare record id (it was not read from Cloudflare)");
}
