namespace MailRelay.DnsPublishing;

/// <summary>
/// How a record is marked as the relay's own in a shared zone, in the manner of external-dns's TXT registry: beside
/// each name the relay publishes at, a TXT at <c>_mail-relay-owner.&lt;name&gt;</c> holds one string per kind it owns
/// there, <c>heritage=mail-relay,owner=&lt;DNS_OWNER_ID&gt;,kind=&lt;kind&gt;</c>. Only records under such a marker with
/// our owner id are ever changed or deleted; another relay's markers (another id) are as foreign as none.
/// </summary>
public static class OwnershipMarker
{
    public const string Prefix = "_mail-relay-owner.";

    private const string Heritage = "heritage=mail-relay";

    public static string NameFor(string recordName) => Prefix + recordName;

    public static string ValueFor(string ownerId, RecordKind kind) => $"{Heritage},owner={ownerId},kind={KindWord(kind)}";

    public static DnsRecord RecordFor(string recordName, string ownerId, RecordKind kind, int ttl) =>
        new(NameFor(recordName), DnsRecordType.TXT, ValueFor(ownerId, kind), ttl);

    /// <summary>Reads a marker: the record name it marks, the owner and the kind; false for any other record.</summary>
    public static bool TryParse(DnsRecord record, out string markedName, out string ownerId, out RecordKind kind)
    {
        ArgumentNullException.ThrowIfNull(record);
        markedName = ownerId = string.Empty;
        kind = default;
        if (record.Type != DnsRecordType.TXT || !record.Name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !record.Value.StartsWith(Heritage + ",", StringComparison.Ordinal))
        {
            return false;
        }

        string? owner = null;
        RecordKind? parsedKind = null;
        foreach (var part in record.Value.Split(','))
        {
            if (part.StartsWith("owner=", StringComparison.Ordinal))
            {
                owner = part["owner=".Length..];
            }
            else if (part.StartsWith("kind=", StringComparison.Ordinal) && TryParseKind(part["kind=".Length..], out var k))
            {
                parsedKind = k;
            }
        }

        if (owner is null || parsedKind is null)
        {
            return false;
        }

        markedName = record.Name[Prefix.Length..].ToLowerInvariant();
        ownerId = owner;
        kind = parsedKind.Value;
        return true;
    }

    public static string KindWord(RecordKind kind) => kind switch
    {
        RecordKind.A => "a",
        RecordKind.Aaaa => "aaaa",
        RecordKind.Mx => "mx",
        RecordKind.Spf => "spf",
        RecordKind.Dkim => "dkim",
        _ => "dmarc",
    };

    private static bool TryParseKind(string word, out RecordKind kind)
    {
        foreach (var candidate in Enum.GetValues<RecordKind>())
        {
            if (KindWord(candidate) == word)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
