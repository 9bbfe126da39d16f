namespace MailRelay.DnsPublishing;

/// <summary>Desired record sets as zone-file lines, each kind with a line of advice, for <c>dkim show</c> and <c>dkim generate</c>.</summary>
public static class DesiredRecordsWriter
{
    public static void Write(TextWriter output, IEnumerable<DesiredRecordSet> sets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(sets);
        foreach (var set in sets)
        {
            output.WriteLine(Advice(set));
            foreach (var record in set.Records)
            {
                output.WriteLine(DnsZoneText.Line(record));
            }
        }
    }

    private static string Advice(DesiredRecordSet set) => set.Kind switch
    {
        RecordKind.A or RecordKind.Aaaa => $"; {set.Name}: the relay's public addresses (receivers check that they name it back: set the PTR too)",
        RecordKind.Mx => $"; {set.Name}: MX naming the relay",
        RecordKind.Spf => $"; {set.Name}: SPF (a domain has only one v=spf1 record: merge with an existing one)",
        RecordKind.Dkim => $"; {set.Name}: DKIM key (as one value for DNS forms: {set.Values[0]})",
        _ => $"; {set.Name}: DMARC (start with p=none, tighten to quarantine/reject once reports are clean)",
    };
}
