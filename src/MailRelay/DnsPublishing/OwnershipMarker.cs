using System.Security.Cryptography;
using System.Text;

namespace MailRelay.DnsPublishing;

/// <summary>
/// How a record is marked as the relay's own in a shared zone, in the manner of external-dns's TXT registry: beside
/// each name the relay publishes at, a TXT at <c>_mail-relay-owner.&lt;name&gt;</c> holds one string per kind it owns
/// there, <c>heritage=mail-relay,owner=&lt;DNS_OWNER_ID&gt;,kind=&lt;kind&gt;,values=&lt;h1&gt;.&lt;h2&gt;</c>. The values are
/// short digests of the records the relay created, so a record someone adds beside ours (a backup MX) is still theirs.
/// Only records listed in a marker with our owner id are ever changed or deleted; another relay's markers (another
/// id) are as foreign as none.
/// </summary>
public static class OwnershipMarker
{
    public const string Prefix = "_mail-relay-owner.";

    private const string Heritage = "heritage=mail-relay";

    public static string NameFor(string recordName) => Prefix + recordName;

    public static DnsRecord RecordFor(string recordName, string ownerId, RecordKind kind, IEnumerable<string> values, int ttl) =>
        new(NameFor(recordName), DnsRecordType.TXT, ValueFor(ownerId, kind, values), ttl);

    public static string ValueFor(string ownerId, RecordKind kind, IEnumerable<string> values) =>
        $"{Heritage},owner={ownerId},kind={KindWord(kind)},values={string.Join('.', values.Select(Digest).Distinct().Order(StringComparer.Ordinal))}";

    /// <summary>
    /// The first 32 bits of SHA-256 of the canonical value, in hex: enough to tell apart the few records of one slot,
    /// short enough that a marker for many addresses stays one TXT string.
    /// </summary>
    public static string Digest(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 4));
    }

    /// <summary>Reads a marker; false for any other record.</summary>
    public static bool TryParse(DnsRecord record, out MarkerContent content)
    {
        ArgumentNullException.ThrowIfNull(record);
        content = default;
        if (record.Type != DnsRecordType.TXT || !record.Name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !record.Value.StartsWith(Heritage + ",", StringComparison.Ordinal))
        {
            return false;
        }

        string? owner = null;
        RecordKind? kind = null;
        var digests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in record.Value.Split(','))
        {
            if (part.StartsWith("owner=", StringComparison.Ordinal))
            {
                owner = part["owner=".Length..];
            }
            else if (part.StartsWith("kind=", StringComparison.Ordinal) && TryParseKind(part["kind=".Length..], out var k))
            {
                kind = k;
            }
            else if (part.StartsWith("values=", StringComparison.Ordinal))
            {
                digests.UnionWith(part["values=".Length..].Split('.', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        if (owner is null || kind is null)
        {
            return false;
        }

        content = new MarkerContent(record.Name[Prefix.Length..].ToLowerInvariant(), owner, kind.Value, digests, record);
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
