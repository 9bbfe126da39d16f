namespace MailRelay.DnsPublishing;

/// <summary>
/// Compares the desired record sets with what a provider has published and decides the changes. Pure: the same
/// inputs give the same plan, and a plan applied and read back gives no changes (idempotence).
/// <list type="bullet">
/// <item>An empty slot is created with its ownership marker first: a crash between the two leaves a marker claiming
/// records that do not exist yet, which the next plan creates. The other order would leave our record unclaimed,
/// looking foreign for ever.</item>
/// <item>In a slot we own, the records the marker claims are brought to the desired values: a changed value is an
/// update, so a rotated DKIM key or a new address replaces the old record. The new marker is written before the
/// records change and the old one removed after, so at every moment each of our records is claimed.</item>
/// <item>Records we did not create are never changed or deleted: beside ours they are reported as a conflict; in
/// a slot we do not own they are in sync if they are what we want, else a conflict.</item>
/// <item>A slot we own that is no longer wanted (a domain removed) loses the records we created, then its marker.</item>
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
        var markers = exclusive ? [] : ReadMarkers(published);
        var markerRecords = markers.Select(m => m.Record).ToHashSet(ReferenceEqualityComparer.Instance);
        var records = published.Where(r => !markerRecords.Contains(r)).ToList();
        var plan = new PlanBuilder();
        var claimed = new HashSet<DnsRecord>(ReferenceEqualityComparer.Instance);

        foreach (var set in desired)
        {
            var inSlot = records.Where(set.InSlot).ToList();
            inSlot.ForEach(r => claimed.Add(r));
            var here = markers.Where(m => string.Equals(m.MarkedName, set.Name, StringComparison.OrdinalIgnoreCase) && m.Kind == set.Kind).ToList();
            var ourMarkers = here.Where(m => m.OwnerId == ownerId).ToList();
            if (exclusive)
            {
                PlanOwned(plan, set, inSlot, [], ownerId, markers: null);
            }
            else if (ourMarkers.Count > 0)
            {
                var ours = inSlot.Where(r => ourMarkers.Any(m => m.Claims(r))).ToList();
                PlanOwned(plan, set, ours, inSlot.Except(ours).ToList(), ownerId, ourMarkers);
            }
            else
            {
                PlanForeign(plan, set, inSlot, here.Select(m => m.OwnerId).FirstOrDefault(), ownerId);
            }
        }

        var wantedSlots = desired.Select(s => (s.Name.ToLowerInvariant(), s.Kind)).ToHashSet();
        if (exclusive)
        {
            foreach (var stale in records.Where(r => !claimed.Contains(r)).GroupBy(r => (Name: r.Name.ToLowerInvariant(), r.Type)))
            {
                plan.Changes.AddRange(stale.Select(DnsChange.Delete));
                plan.Statuses.Add(StaleStatus(KindOf(stale.Key.Type, stale.Key.Name), stale.Key.Name, stale.ToArray()));
            }
        }
        else
        {
            var staleSlots = markers
                .Where(m => m.OwnerId == ownerId && !wantedSlots.Contains((m.MarkedName, m.Kind)))
                .GroupBy(m => (m.MarkedName, m.Kind))
                .OrderBy(g => g.Key.MarkedName, StringComparer.Ordinal);
            foreach (var slot in staleSlots)
            {
                var ours = records.Where(r => DesiredRecordSet.InSlot(slot.Key.Kind, slot.Key.MarkedName, r) && slot.Any(m => m.Claims(r))).ToList();
                plan.Changes.AddRange(ours.Select(DnsChange.Delete));
                plan.Changes.AddRange(slot.Select(m => DnsChange.Delete(m.Record)));
                plan.Statuses.Add(StaleStatus(slot.Key.Kind, slot.Key.MarkedName, ours));
            }
        }

        return new DnsPlan(plan.Changes, plan.Statuses) { OwnedAfter = plan.Owned };
    }

    /// <summary>A slot without a marker of ours: created when empty, else only looked at.</summary>
    private static void PlanForeign(PlanBuilder plan, DesiredRecordSet set, List<DnsRecord> inSlot, string? foreignOwner, string ownerId)
    {
        var publishedValues = inSlot.Select(r => r.Value).ToArray();
        if (inSlot.Count == 0 && foreignOwner is null)
        {
            plan.Changes.Add(DnsChange.Create(OwnershipMarker.RecordFor(set.Name, ownerId, set.Kind, set.Values, set.Ttl)));
            plan.Changes.AddRange(set.Records.Select(DnsChange.Create));
            plan.Owned.Add((set.Name.ToLowerInvariant(), set.Kind));
            plan.Statuses.Add(Status(set, DnsRecordState.Pending, publishedValues, "to be created"));
        }
        else if (foreignOwner is null && SameValues(set.Values, publishedValues))
        {
            plan.Statuses.Add(Status(set, DnsRecordState.InSync, publishedValues, "published by someone else, as desired; not owned, so never changed"));
        }
        else
        {
            var detail = foreignOwner is not null
                ? $"owned by another relay (owner {foreignOwner}); left untouched"
                : $"not created by this relay ({string.Join(" | ", publishedValues)}); left untouched";
            plan.Statuses.Add(Status(set, DnsRecordState.Conflict, publishedValues, detail));
        }
    }

    /// <summary>A slot we own: our records to the desired values, the marker kept claiming exactly them.</summary>
    private static void PlanOwned(
        PlanBuilder plan, DesiredRecordSet set, List<DnsRecord> ours, List<DnsRecord> foreign, string ownerId, List<MarkerContent>? markers)
    {
        // A desired value someone else already publishes here is satisfied; creating it again would duplicate it.
        var target = set with { Values = set.Values.Where(v => !foreign.Any(f => f.Value == v)).ToArray() };
        var recordChanges = Diff(target, ours);
        var changes = new List<DnsChange>();
        if (markers is not null)
        {
            var finalValue = OwnershipMarker.ValueFor(ownerId, set.Kind, target.Values);
            var keep = target.Values.Count == 0 ? null : markers.FirstOrDefault(m => m.Record.Value == finalValue).Record;
            if (keep is null && target.Values.Count > 0)
            {
                changes.Add(DnsChange.Create(OwnershipMarker.RecordFor(set.Name, ownerId, set.Kind, target.Values, set.Ttl)));
            }

            changes.AddRange(recordChanges);
            changes.AddRange(markers.Where(m => !ReferenceEquals(m.Record, keep)).Select(m => DnsChange.Delete(m.Record)));
        }
        else
        {
            changes.AddRange(recordChanges);
        }

        plan.Changes.AddRange(changes);
        if (target.Values.Count > 0)
        {
            plan.Owned.Add((set.Name.ToLowerInvariant(), set.Kind));
        }

        var publishedValues = ours.Concat(foreign).Select(r => r.Value).ToArray();
        var strangers = foreign.Where(f => !set.Values.Contains(f.Value)).Select(f => f.Value).ToArray();
        plan.Statuses.Add(strangers.Length > 0
            ? Status(set, DnsRecordState.Conflict, publishedValues, $"records not created by this relay stand beside ours ({string.Join(" | ", strangers)}); left untouched")
            : Status(set, changes.Count == 0 ? DnsRecordState.InSync : DnsRecordState.Pending, publishedValues, changes.Count == 0 ? null : "to be changed"));
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

    private static DnsRecordStatus Status(DesiredRecordSet set, DnsRecordState state, IReadOnlyList<string> published, string? detail) =>
        new(set.Kind, set.Name, state, set.Values, published, detail) { Ttl = set.Ttl };

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

    private static List<MarkerContent> ReadMarkers(IReadOnlyList<DnsRecord> published)
    {
        var markers = new List<MarkerContent>();
        foreach (var record in published)
        {
            if (OwnershipMarker.TryParse(record, out var marker))
            {
                markers.Add(marker);
            }
        }

        return markers;
    }

    private sealed class PlanBuilder
    {
        public List<DnsChange> Changes { get; } = [];

        public List<DnsRecordStatus> Statuses { get; } = [];

        public List<(string Name, RecordKind Kind)> Owned { get; } = [];
    }
}
