using System.Text;
using MailRelay.Dkim;

namespace MailRelay.DnsPublishing;

/// <summary>Records as zone-file lines (RFC 1035 §5.1), the form operators paste into any DNS console.</summary>
public static class DnsZoneText
{
    /// <summary><c>name. TTL IN TYPE data</c>; TXT as quoted strings of at most 255 octets.</summary>
    public static string Line(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return $"{record.Name}. {record.Ttl} IN {record.Type} {Data(record)}";
    }

    public static string Data(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Type switch
        {
            DnsRecordType.TXT => string.Join(' ', DkimTxtRecord.Split(record.Value).Select(Quote)),
            DnsRecordType.MX => record.Value + ".",
            _ => record.Value,
        };
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
