using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// Converts between <see cref="DnsRecord"/>'s canonical text and the DNS library's resource records, in both
/// directions with the same rules, so that a record read back compares equal to the one written.
/// </summary>
internal static class WireRecords
{
    /// <summary>The library's record type for ours.</summary>
    public static RecordType TypeOf(DnsRecordType type) => type switch
    {
        DnsRecordType.A => RecordType.A,
        DnsRecordType.AAAA => RecordType.Aaaa,
        DnsRecordType.MX => RecordType.Mx,
        DnsRecordType.TXT => RecordType.Txt,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a published record type"),
    };

    /// <summary>The resource record to add or delete for <paramref name="record"/>.</summary>
    /// <exception cref="DnsProviderException">The record's value does not fit its type.</exception>
    public static DnsRecordBase ToWire(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = NameOf(record.Name);
        return record.Type switch
        {
            DnsRecordType.A => new ARecord(name, record.Ttl, Address(record, AddressFamily.InterNetwork)),
            DnsRecordType.AAAA => new AaaaRecord(name, record.Ttl, Address(record, AddressFamily.InterNetworkV6)),
            DnsRecordType.MX => Mx(name, record),
            DnsRecordType.TXT => new TxtRecord(name, record.Ttl, TxtStrings.Split(record.Name, record.Value, record.ProviderId)),
            _ => throw new DnsProviderException($"{record.Type} records are not published."),
        };
    }

    /// <summary>Our record for an answer's resource record; null for a type we do not publish (a CNAME on the way).</summary>
    public static DnsRecord? FromWire(DnsRecordBase record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = TextOf(record.Name);
        switch (record)
        {
            case ARecord a:
                return new DnsRecord(name, DnsRecordType.A, a.Address.ToString(), a.TimeToLive);
            case AaaaRecord aaaa:
                return new DnsRecord(name, DnsRecordType.AAAA, aaaa.Address.ToString(), aaaa.TimeToLive);
            case MxRecord mx:
                var exchange = mx.ExchangeDomainName.LabelCount == 0 ? "." : TextOf(mx.ExchangeDomainName);
                return new DnsRecord(name, DnsRecordType.MX, mx.Preference.ToString(CultureInfo.InvariantCulture) + " " + exchange, mx.TimeToLive);
            case TxtRecord txt:
                var (value, layout) = TxtStrings.Join(txt.TextParts.ToList());
                return new DnsRecord(name, DnsRecordType.TXT, value, txt.TimeToLive, layout);
            default:
                return null;
        }
    }

    /// <summary>A name as the library wants it.</summary>
    /// <exception cref="DnsProviderException">Not a domain name.</exception>
    public static DomainName NameOf(string name) =>
        DomainName.TryParse(name, out var parsed) && parsed is not null
            ? parsed
            : throw new DnsProviderException($"'{name}' is not a domain name.");

    /// <summary>A name in <see cref="DnsRecord"/>'s form: lower case, no trailing dot.</summary>
    public static string TextOf(DomainName name) => name.ToString(false).ToLowerInvariant();

    private static IPAddress Address(DnsRecord record, AddressFamily family) =>
        IPAddress.TryParse(record.Value, out var address) && address.AddressFamily == family
            ? address
            : throw new DnsProviderException($"The {record.Type} record at {record.Name} has no {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address: '{record.Value}'.");

    private static MxRecord Mx(DomainName name, DnsRecord record)
    {
        var parts = record.Value.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var preference)
            && DomainName.TryParse(parts[1], out var exchange)
            && exchange is not null)
        {
            return new MxRecord(name, record.Ttl, preference, exchange);
        }

        throw new DnsProviderException($"The MX record at {record.Name} is not '<preference> <host>': '{record.Value}'.");
    }
}
