using System.Globalization;
using System.Net;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// Translates between the planner's records (one per value) and a DNSEndpoint's record sets (one per name and type,
/// with all its targets and one TTL). Kept apart from the API calls so the translation can be re-run on a freshly
/// read object after a write conflict: applying the same changes twice gives the same spec.
/// </summary>
internal static class DnsEndpointRecords
{
    /// <summary>
    /// The A, AAAA, MX and TXT records in <paramref name="entries"/>, one per target, each with its set's TTL.
    /// Sets of other types, and sets with a set identifier (external-dns routing policies), are not the relay's
    /// kind of record and are left out; <see cref="Apply"/> leaves them untouched too.
    /// </summary>
    public static IReadOnlyList<DnsRecord> ToRecords(IEnumerable<DnsEndpointEntry>? entries)
    {
        var records = new List<DnsRecord>();
        foreach (var entry in entries ?? [])
        {
            if (!TryGetKey(entry, out var name, out var type))
            {
                continue;
            }

            var ttl = (int)Math.Clamp(entry.RecordTtl ?? 0, 0, int.MaxValue);
            foreach (var target in entry.Targets ?? [])
            {
                records.Add(new DnsRecord(name, type, Canonical(type, target), ttl));
            }
        }

        return records;
    }

    /// <summary>
    /// A new endpoint list: <paramref name="current"/> (copied, never modified) with <paramref name="changes"/>
    /// applied in order. A record is added to its name and type's set (created at the end when missing) and
    /// gives the set its TTL, since external-dns has one TTL per set; a removed record takes its target out of
    /// the set, and a set left without targets is dropped, as a DNS RRset cannot be empty. Adding a target that
    /// is there or removing one that is not changes nothing, which is what makes a retry after a conflict safe.
    /// </summary>
    public static List<DnsEndpointEntry> Apply(IEnumerable<DnsEndpointEntry>? current, IReadOnlyList<DnsChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var entries = (current ?? []).Select(Copy).ToList();
        foreach (var change in changes)
        {
            switch (change.Action)
            {
                case DnsChangeAction.Create:
                    Add(entries, change.Replacement ?? throw new ArgumentException($"{change}: a create without a record", nameof(changes)));
                    break;
                case DnsChangeAction.Update:
                    Update(
                        entries,
                        change.Existing ?? throw new ArgumentException($"{change}: an update without the existing record", nameof(changes)),
                        change.Replacement ?? throw new ArgumentException($"{change}: an update without a replacement", nameof(changes)));
                    break;
                case DnsChangeAction.Delete:
                    Remove(entries, change.Existing ?? throw new ArgumentException($"{change}: a delete without a record", nameof(changes)));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(changes), change.Action, "unknown change");
            }
        }

        return entries;
    }

    private static void Add(List<DnsEndpointEntry> entries, DnsRecord record)
    {
        var entry = Find(entries, record);
        if (entry is null)
        {
            entry = new DnsEndpointEntry { DnsName = record.Name, RecordType = record.Type.ToString(), Targets = [] };
            entries.Add(entry);
        }

        entry.Targets ??= [];
        if (!entry.Targets.Any(target => Canonical(record.Type, target) == record.Value))
        {
            entry.Targets.Add(record.Value);
        }

        entry.RecordTtl = record.Ttl;
    }

    /// <summary>Within one set the target is replaced where it stands, so the spec does not reorder on every address change.</summary>
    private static void Update(List<DnsEndpointEntry> entries, DnsRecord existing, DnsRecord replacement)
    {
        var entry = Find(entries, existing);
        var index = entry?.Targets?.FindIndex(target => Canonical(existing.Type, target) == existing.Value) ?? -1;
        if (entry?.Targets is null || index < 0 || Find(entries, replacement) != entry)
        {
            Remove(entries, existing);
            Add(entries, replacement);
            return;
        }

        entry.Targets[index] = replacement.Value;
        for (var other = entry.Targets.Count - 1; other >= 0; other--)
        {
            var value = Canonical(existing.Type, entry.Targets[other]);
            if (other != index && (value == existing.Value || value == replacement.Value))
            {
                entry.Targets.RemoveAt(other);
            }
        }

        entry.RecordTtl = replacement.Ttl;
    }

    private static void Remove(List<DnsEndpointEntry> entries, DnsRecord record)
    {
        var entry = Find(entries, record);
        if (entry?.Targets is null)
        {
            return;
        }

        entry.Targets.RemoveAll(target => Canonical(record.Type, target) == record.Value);
        if (entry.Targets.Count == 0)
        {
            entries.Remove(entry);
        }
    }

    private static DnsEndpointEntry? Find(List<DnsEndpointEntry> entries, DnsRecord record) =>
        entries.Find(entry => TryGetKey(entry, out var name, out var type)
            && type == record.Type
            && string.Equals(name, record.Name, StringComparison.OrdinalIgnoreCase));

    private static bool TryGetKey(DnsEndpointEntry entry, out string name, out DnsRecordType type)
    {
        name = NormalName(entry.DnsName ?? "");
        type = default;
        return name.Length > 0
            && string.IsNullOrEmpty(entry.SetIdentifier)
            && entry.RecordType is "A" or "AAAA" or "MX" or "TXT"
            && Enum.TryParse(entry.RecordType, ignoreCase: false, out type);
    }

    private static string NormalName(string name) => name.TrimEnd('.').ToLowerInvariant();

    /// <summary>
    /// A target in <see cref="DnsRecord.Value"/>'s form, so that one written by hand (<c>10 Mail.Example.com.</c>,
    /// an IPv6 address with leading zeros) compares equal to the planner's value instead of being rewritten.
    /// </summary>
    private static string Canonical(DnsRecordType type, string target)
    {
        switch (type)
        {
            case DnsRecordType.A or DnsRecordType.AAAA:
                return IPAddress.TryParse(target.Trim(), out var address) ? address.ToString() : target.Trim();
            case DnsRecordType.MX:
                var parts = target.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return parts.Length == 2 && ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var preference)
                    ? $"{preference.ToString(CultureInfo.InvariantCulture)} {NormalName(parts[1])}"
                    : target.Trim();
            default:
                return target;
        }
    }

    private static DnsEndpointEntry Copy(DnsEndpointEntry entry) => new()
    {
        DnsName = entry.DnsName,
        RecordType = entry.RecordType,
        Targets = entry.Targets is null ? null : [.. entry.Targets],
        RecordTtl = entry.RecordTtl,
        SetIdentifier = entry.SetIdentifier,
        Labels = entry.Labels is null ? null : new Dictionary<string, string>(entry.Labels, StringComparer.Ordinal),
        ProviderSpecific = entry.ProviderSpecific,
    };
}
