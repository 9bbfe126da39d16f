namespace MailRelay.DnsPublishing;

/// <summary>
/// Compares the desired record sets with what a provider has published and decides the changes. Pure: the same
/// inputs give the same plan, and a plan applied and read back gives no changes (idempotence).
/// <list type="bullet">
/// <item>An empty slot is created, with its ownership marker first (a crash between the two leaves a marker
/// without records, which the next plan fills; the other order would leave our own record looking foreign).</item>
/// <item>A slot we own is brought to the desired values: a changed value is an update, so a rotated DKIM key or a
/// new address replaces the old record rather than standing beside it.</item>
/// <item>A slot with records we do not own is left untouched: in sync if they are what we want, else a conflict.</item>
/// <item>A slot we own that is no longer wanted (a domain removed) is deleted, records first, marker last.</item>
/// </list>
/// With an exclusive provider (a DNSEndpoint of our own) everything read is ours and no markers are written.
/// </summary>
public static class DnsPlanner
{
    public static DnsPlan Plan(IReadOnlyList<DesiredRecordSet> desired, IReadOnlyList<DnsRecord> published, string ownerId, bool exclusive)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(ownerId);
        var markers = ReadMarkers(published);
        var changes = new List<DnsChange>();
        var statuses = new List<DnsRecordStatus>();
        var owned = new List<(string, RecordKind)>();
        var claimed = new HashSet<DnsRecord>(ReferenceEqualityComparer.Instance);

        foreach (var set in desired)
        {
            var slot = (set.Name.ToLowerInvariant(), set.Kind);
            var existing = published.Where(r => !IsMarker(r) && set.InSlot(r)).ToList();
            existing.ForEach(r => claimed.Add(r));
            var ours = exclusive || (markers.TryGetValue(slot, out var ownersHere) && ownersHere.Any(m => m.Owner == ownerId));
            var foreignOwner = !exclusive && markers.TryGetValue(slot, out var owners) ? owners.FirstOrDefault(m => m.Owner != ownerId).Owner : null;
            var publishedValues = existing.Select(r => r.Value).ToArray();

            if (existing.Count == 0 && foreignOwner is null)
            {
                if (!exclusive && !ours)
                {
                    changes.Add(DnsChange.Create(OwnershipMarker.RecordFor(set.Name, ownerId, set.Kind, set.Ttl)));
                }

                changes.AddRange(set.Records.Select(DnsChange.Create));
                owned.Add(slot);
                statuses.Add(new DnsRecordStatus(set.Kind, set.Name, DnsRecordState.Pending, set.Values, publishedValues, "to be created") { Ttl = set.Ttl });
            }
            else if (ours)
            {
                var diff = Diff(set, existing);
                changes.AddRange(diff);
                owned.Add(slot);
                statuses.Add(new DnsRecordStatus(set.Kind, set.Name, diff.Count == 0 ? DnsRecordState.InSync : DnsRecordState.Pending,
                    set.Values, publishedValues, diff.Count == 0 ? null : "to be changed")
                { Ttl = set.Ttl });
            }
            else if (foreignOwner is null && SameValues(set.Values, publishedValues))
            {
                statuses.Add(new DnsRecordStatus(set.Kind, set.Name, DnsRecordState.InSync, set.Values, publishedValues,
                    "published by someone else, as desired; not owned, so never changed")
                { Ttl = set.Ttl });
            }
            else
            {
                var detail = foreignOwner is not null
                    ? $"owned by another relay (owner {foreignOwner}); left untouched"
                    : $"not created by this relay ({string.Join(" | ", publishedValues)}); left untouched";
                statuses.Add(new DnsRecordStatus(set.Kind, set.Name, DnsRecordState.Conflict, set.Values, publishedValues, detail) { Ttl = set.Ttl });
            }
        }

        var wantedSlots = desired.Select(s => (s.Name.ToLowerInvariant(), s.Kind)).ToHashSet();
        if (exclusive)
        {
            foreach (var stale in published.Where(r => !claimed.Contains(r)).GroupBy(r => (r.Name.ToLowerInvariant(), r.Type)))
            {
                changes.AddRange(stale.Select(DnsChange.Delete));
                statuses.Add(StaleStatus(KindOf(stale.Key.Type, stale.Key.Item1), stale.Key.Item1, stale.ToArray()));
            }
        }
        else
        {
            foreach (var ((name, kind), entries) in markers.Where(m => !wantedSlots.Contains(m.Key)).OrderBy(m => m.Key.Name, StringComparer.Ordinal))
            {
                var mine = entries.Where(e => e.Owner == ownerId).Select(e => e.Record).ToList();
                if (mine.Count == 0)
                {
                    continue;
                }

                var records = published.Where(r => !IsMarker(r) && DesiredRecordSet.InSlot(kind, name, r)).ToList();
                changes.AddRange(records.Select(DnsChange.Delete));
                changes.AddRange(mine.Select(DnsChange.Delete));
                statuses.Add(StaleStatus(kind, name, records));
            }
        }

        return new DnsPlan(changes, statuses) { OwnedAfter = owned };
    }

    /// <summary>Updates pair a missing value with a superfluous one; a TTL change alone is an update too.</summary>
    private static List<DnsChange> Diff(DesiredRecordSet set, List<DnsRecord> existing)
    {
        var changes = new List<DnsChange>();
        var wanted = set.Records.ToList();
        var extra = new List<DnsRecord>();
        foreach (var record in existing)
        {
            var match = wanted.FindIndex(w => w.SameData(record));
            if (match < 0)
            {
                extra.Add(record);
                continue;
            }

            if (record.Ttl != wanted[match].Ttl)
            {
                changes.Add(DnsChange.Update(record, wanted[match]));
            }

            wanted.RemoveAt(match);
        }

        var pairs = Math.Min(wanted.Count, extra.Count);
        for (var i = 0; i < pairs; i++)
        {
            changes.Add(DnsChange.Update(extra[i], wanted[i]));
        }

        changes.AddRange(wanted.Skip(pairs).Select(DnsChange.Create));
        changes.AddRange(extra.Skip(pairs).Select(DnsChange.Delete));
        return changes;
    }

    private static bool SameValues(IReadOnlyList<string> desired, IReadOnlyList<string> published) =>
        desired.Order(StringComparer.Ordinal).SequenceEqual(published.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static DnsRecordStatus StaleStatus(RecordKind kind, string name, IReadOnlyList<DnsRecord> published) =>
        new(kind, name, DnsRecordState.Pending, [], published.Select(r => r.Value).ToArray(), "no longer wanted; to be deleted")
        {
            Ttl = published.Count > 0 ? published[0].Ttl : 0,
        };

    private static RecordKind KindOf(DnsRecordType type, string name) => type switch
    {
        DnsRecordType.A => RecordKind.A,
        DnsRecordType.AAAA => RecordKind.Aaaa,
        DnsRecordType.MX => RecordKind.Mx,
        _ when name.StartsWith("_dmarc.", StringComparison.Ordinal) => RecordKind.Dmarc,
        _ when name.Contains("._domainkey.", StringComparison.Ordinal) => RecordKind.Dkim,
        _ => RecordKind.Spf,
    };

    private static bool IsMarker(DnsRecord record) => OwnershipMarker.TryParse(record, out _, out _, out _);

    private static Dictionary<(string Name, RecordKind Kind), List<(string Owner, DnsRecord Record)>> ReadMarkers(IReadOnlyList<DnsRecord> published)
    {
        var markers = new Dictionary<(string, RecordKind), List<(string, DnsRecord)>>();
        foreach (var record in published)
        {
            if (OwnershipMarker.TryParse(record, out var name, out var owner, out var kind))
            {
                if (!markers.TryGetValue((name, kind), out var list))
                {
                    markers[(name, kind)] = list = [];
                }

                list.Add((owner, record));
            }
        }

        return markers;
    }
}
