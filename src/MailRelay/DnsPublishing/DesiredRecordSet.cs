namespace MailRelay.DnsPublishing;

/// <summary>
/// The records of one kind the relay wants at one name: all A addresses of MAIL_HOSTNAME, the one MX of a domain,
/// its SPF, one DKIM key, its DMARC policy. The unit of ownership: the relay owns a kind at a name, or it does not.
/// </summary>
public sealed record DesiredRecordSet(RecordKind Kind, string Name, IReadOnlyList<string> Values, int Ttl)
{
    public DnsRecordType Type => TypeOf(Kind);

    /// <summary>The records of the set, one per value.</summary>
    public IEnumerable<DnsRecord> Records => Values.Select(v => new DnsRecord(Name, Type, v, Ttl));

    public static DnsRecordType TypeOf(RecordKind kind) => kind switch
    {
        RecordKind.A => DnsRecordType.A,
        RecordKind.Aaaa => DnsRecordType.AAAA,
        RecordKind.Mx => DnsRecordType.MX,
        _ => DnsRecordType.TXT,
    };

    /// <summary>
    /// Whether a published record at <see cref="Name"/> belongs to this kind's slot. A, AAAA and MX: every record of
    /// the type. TXT shares a name with unrelated records (site verifications), so SPF and DMARC are told apart by
    /// their version tag; the DKIM name is the selector's own, so every TXT there is the key record.
    /// </summary>
    public static bool InSlot(RecordKind kind, string name, DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!string.Equals(record.Name, name, StringComparison.OrdinalIgnoreCase) || record.Type != TypeOf(kind))
        {
            return false;
        }

        return kind switch
        {
            RecordKind.Spf => HasVersionTag(record.Value, "v=spf1"),
            RecordKind.Dmarc => HasVersionTag(record.Value, "v=DMARC1"),
            _ => true,
        };
    }

    /// <summary>RFC 7208 §4.5 and RFC 7489 §6.4: the record starts with its version, followed by a space, ';' or nothing.</summary>
    private static bool HasVersionTag(string value, string tag)
    {
        var trimmed = value.TrimStart();
        return trimmed.StartsWith(tag, StringComparison.OrdinalIgnoreCase)
            && (trimmed.Length == tag.Length || trimmed[tag.Length] is ' ' or ';');
    }

    public bool InSlot(DnsRecord record) => InSlot(Kind, Name, record);
}
