using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using DnsClient;
using ArRecordType = ARSoft.Tools.Net.Dns.RecordType;
using Dc = DnsClient.Protocol;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// ARSoft's SPF validator asks its <see cref="IDnsResolver"/> for records; this one answers through the relay's own
/// resolver (DNS_SERVERS) rather than ARSoft's client, which takes one port for all its servers, so a DNS_SERVERS list
/// such as <c>127.0.0.1:5353,10.0.0.2</c> could not be followed. An empty list is NXDOMAIN or "no such records"; anything
/// else that is not an answer (timeout, SERVFAIL, REFUSED) throws, which the validator turns into temperror.
/// </summary>
internal sealed class SpfDnsResolver : IDnsResolver
{
    private readonly ILookupClient _client;

    public SpfDnsResolver(ILookupClient client)
    {
        _client = client;
    }

    public List<T> Resolve<T>(DomainName name, ArRecordType recordType = ArRecordType.A, RecordClass recordClass = RecordClass.INet)
        where T : DnsRecordBase =>
        throw new NotSupportedException("The SPF evaluation resolves asynchronously only.");

    public async Task<List<T>> ResolveAsync<T>(
        DomainName name, ArRecordType recordType = ArRecordType.A, RecordClass recordClass = RecordClass.INet, CancellationToken token = default)
        where T : DnsRecordBase
    {
        ArgumentNullException.ThrowIfNull(name);
        var queryType = recordType switch
        {
            ArRecordType.A => QueryType.A,
            ArRecordType.Aaaa => QueryType.AAAA,
            ArRecordType.Mx => QueryType.MX,
            ArRecordType.Txt => QueryType.TXT,
            ArRecordType.Ptr => QueryType.PTR,
            _ => throw new NotSupportedException($"SPF does not look up {recordType} records."),
        };
        var response = await _client.QueryAsync(name.ToString(false), queryType, QueryClass.IN, token);
        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return [];
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            throw new DnsResponseException((DnsResponseCode)code, $"{queryType} {name}: {code}");
        }

        // A CNAME chain was followed by the recursive server: every record of the asked type belongs to the name.
        return Convert(response.Answers, recordType, name).OfType<T>().ToList();
    }

    public void ClearCache()
    {
    }

    public void Dispose()
    {
    }

    private static IEnumerable<DnsRecordBase> Convert(IReadOnlyList<Dc.DnsResourceRecord> answers, ArRecordType recordType, DomainName name)
    {
        foreach (var answer in answers)
        {
            var ttl = answer.TimeToLive;
            switch (recordType)
            {
                case ArRecordType.A when answer is Dc.ARecord a:
                    yield return new ARecord(name, ttl, a.Address);
                    break;
                case ArRecordType.Aaaa when answer is Dc.AaaaRecord aaaa:
                    yield return new AaaaRecord(name, ttl, aaaa.Address);
                    break;
                case ArRecordType.Mx when answer is Dc.MxRecord mx:
                    yield return new MxRecord(name, ttl, mx.Preference, ParseName(mx.Exchange.Value));
                    break;
                case ArRecordType.Txt when answer is Dc.TxtRecord txt:
                    yield return new TxtRecord(name, ttl, SpfRecordText.Prepare(string.Concat(txt.Text)));
                    break;
                case ArRecordType.Ptr when answer is Dc.PtrRecord ptr:
                    yield return new PtrRecord(name, ttl, ParseName(ptr.PtrDomainName.Value));
                    break;
                default:
                    break;
            }
        }
    }

    private static DomainName ParseName(string text)
    {
        var trimmed = text.TrimEnd('.');
        return trimmed.Length == 0 ? DomainName.Root : DomainName.Parse(trimmed);
    }
}
