using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using MailRelay.Configuration;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// Publishes records on a primary name server with DNS UPDATE (RFC 2136), signed with TSIG (RFC 8945) when a key
/// is configured: BIND, Knot, PowerDNS and others take it, so a self-hosted zone needs no vendor API. Records are
/// read back by querying the same server, which sees its own updates at once. The zone is shared with records the
/// relay does not own, so every change names exactly one RR: an add, a delete of that name, type and data (never
/// of a whole RRset), and an update as a delete and an add in one message, which the server applies atomically.
/// </summary>
public sealed class Rfc2136DnsProvider : IDnsRecordProvider
{
    private static readonly RecordType[] ReadTypes = [RecordType.A, RecordType.Aaaa, RecordType.Mx, RecordType.Txt];

    private readonly PrimaryServer _server;
    private readonly ZoneLocator _zones;
    private readonly string _keyText;
    private readonly ILogger<Rfc2136DnsProvider> _logger;

    /// <exception cref="ArgumentException">The TSIG key cannot be used: an empty secret, or hmac-sha384 (see <see cref="TsigKey"/>).</exception>
    public Rfc2136DnsProvider(Rfc2136Settings settings, TimeProvider time, ILogger<Rfc2136DnsProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var key = TsigKey.FromSettings(settings);
        _keyText = key?.ToString() ?? "none, unsigned";
        _server = new PrimaryServer(settings.Server, key, time);
        _zones = new ZoneLocator(_server, logger);
        _logger = logger;
    }

    public string Name => "rfc2136";

    public bool RecordsAreExclusive => false;

    public async Task<IReadOnlyList<DnsRecord>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var records = new List<DnsRecord>();
        foreach (var name in names.Select(Normalise).Distinct(StringComparer.Ordinal))
        {
            var owner = WireRecords.NameOf(name);
            var perType = await Task.WhenAll(ReadTypes.Select(type => ReadAsync(owner, type, cancellationToken)));
            var found = perType.SelectMany(list => list).ToList();
            Rfc2136Log.Read(_logger, found.Count, name, _server.EndPoint);
            records.AddRange(found);
        }

        return records;
    }

    /// <remarks>
    /// Changes are sent as one UPDATE per zone, in their order within the zone; zones are independent of each other,
    /// so a refusal in one leaves the others as applied (the next plan sees what landed).
    /// </remarks>
    public async Task ApplyAsync(IReadOnlyList<DnsChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var batches = new List<(string Zone, List<DnsChange> Changes)>();
        foreach (var change in changes)
        {
            var zone = await _zones.FindAsync(Normalise(change.Name), cancellationToken);
            var index = batches.FindIndex(batch => batch.Zone == zone);
            if (index < 0)
            {
                batches.Add((zone, [change]));
            }
            else
            {
                batches[index].Changes.Add(change);
            }
        }

        foreach (var (zone, zoneChanges) in batches)
        {
            await ApplyToZoneAsync(zone, zoneChanges, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<DnsRecord>> ReadAsync(DomainName name, RecordType type, CancellationToken cancellationToken)
    {
        var answer = await _server.QueryAsync(name, type, cancellationToken);
        if (answer.ReturnCode == ReturnCode.NxDomain)
        {
            return [];
        }

        if (answer.ReturnCode != ReturnCode.NoError)
        {
            throw new DnsProviderException(
                $"{type.ToString().ToUpperInvariant()} query for {name.ToString(false)} at {_server.EndPoint}: {ResponseCodeText.Of(answer.ReturnCode)}.");
        }

        // Only the records at the name itself: an alias's target comes back beside the CNAME and is not ours.
        return answer.AnswerRecords
            .Where(record => record.RecordType == type && record.Name.Equals(name, ignoreCase: true))
            .Select(WireRecords.FromWire)
            .OfType<DnsRecord>()
            .ToList();
    }

    private async Task ApplyToZoneAsync(string zone, List<DnsChange> changes, CancellationToken cancellationToken)
    {
        var update = new DnsUpdateMessage { ZoneName = WireRecords.NameOf(zone) };
        foreach (var change in changes)
        {
            switch (change.Action)
            {
                case DnsChangeAction.Create:
                    update.Updates.Add(new AddRecordUpdate(WireRecords.ToWire(Required(change.Replacement, change))));
                    break;
                case DnsChangeAction.Delete:
                    update.Updates.Add(new DeleteRecordUpdate(WireRecords.ToWire(Required(change.Existing, change))));
                    break;
                default:
                    update.Updates.Add(new DeleteRecordUpdate(WireRecords.ToWire(Required(change.Existing, change))));
                    update.Updates.Add(new AddRecordUpdate(WireRecords.ToWire(Required(change.Replacement, change))));
                    break;
            }
        }

        var summary = string.Join("; ", changes);
        DnsUpdateMessage answer;
        try
        {
            answer = await _server.UpdateAsync(update, cancellationToken);
        }
        catch (DnsProviderException exception)
        {
            Rfc2136Log.NotApplied(_logger, zone, _server.EndPoint, _keyText, exception.Message);
            throw;
        }

        if (answer.ReturnCode != ReturnCode.NoError)
        {
            var reason = $"{ResponseCodeText.Of(answer.ReturnCode)}{Hint(answer.ReturnCode)}";
            Rfc2136Log.NotApplied(_logger, zone, _server.EndPoint, _keyText, reason);
            throw new DnsProviderException($"UPDATE of zone {zone} at {_server.EndPoint} (key {_keyText}): {reason}. Changes: {summary}");
        }

        Rfc2136Log.Applied(_logger, zone, _server.EndPoint, _keyText, summary);
    }

    /// <summary>What an operator usually has to fix for the RCODEs a refused UPDATE carries.</summary>
    private static string Hint(ReturnCode code) => code switch
    {
        ReturnCode.Refused => " (the server's allow-update or update-policy does not let this key or address change the zone)",
        ReturnCode.NotAuthoritive => " (the server is not authoritative for the zone, or did not accept the key)",
        ReturnCode.NotZone => " (a name is outside the zone)",
        _ => string.Empty,
    };

    private static DnsRecord Required(DnsRecord? record, DnsChange change) =>
        record ?? throw new ArgumentException($"The change '{change.Action}' lacks a record.", nameof(change));

    private static string Normalise(string name) => name.TrimEnd('.').ToLowerInvariant();
}
