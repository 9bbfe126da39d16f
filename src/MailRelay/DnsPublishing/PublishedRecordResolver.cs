using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MailRelay.DnsPublishing;

/// <summary>
/// <c>dns status</c>'s view from outside: asks resolvers (DNS_SERVERS, else the system's) for each desired record
/// set and for the PTR of each public address. A provider can hold a record that no resolver shows yet (an
/// external-dns that has not run, a zone not delegated, a TTL not expired); this is what receivers will see.
/// </summary>
public sealed class PublishedRecordResolver
{
    private readonly ILookupClient _lookup;

    public PublishedRecordResolver(ILookupClient lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
    }

    public async Task<ResolvedCheck> CheckAsync(DesiredRecordSet set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        var type = set.Type switch
        {
            DnsRecordType.A => QueryType.A,
            DnsRecordType.AAAA => QueryType.AAAA,
            DnsRecordType.MX => QueryType.MX,
            _ => QueryType.TXT,
        };
        IDnsQueryResponse response;
        try
        {
            response = await _lookup.QueryAsync(set.Name, type, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException e)
        {
            return new ResolvedCheck(set, false, [$"({e.Message})"]);
        }

        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            return new ResolvedCheck(set, false, [$"({response.ErrorMessage})"]);
        }

        var answer = response.Answers
            .Select(ToRecord)
            .OfType<DnsRecord>()
            .Where(r => set.InSlot(r with { Name = set.Name }))
            .Select(r => r.Value)
            .ToArray();
        var visible = answer.Order(StringComparer.Ordinal).SequenceEqual(set.Values.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        return new ResolvedCheck(set, visible, answer);
    }

    public async Task<PtrCheck> CheckPtrAsync(IPAddress address, string hostName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(hostName);
        string[] names;
        try
        {
            var response = await _lookup.QueryReverseAsync(address, cancellationToken);
            names = response.Answers.PtrRecords().Select(p => p.PtrDomainName.Value.TrimEnd('.').ToLowerInvariant()).ToArray();
        }
        catch (DnsResponseException)
        {
            names = [];
        }

        var host = hostName.TrimEnd('.').ToLowerInvariant();
        return new PtrCheck(address, names, names.Contains(host, StringComparer.Ordinal));
    }

    private static DnsRecord? ToRecord(DnsResourceRecord record)
    {
        var name = record.DomainName.Value.TrimEnd('.').ToLowerInvariant();
        var ttl = record.InitialTimeToLive;
        return record switch
        {
            ARecord a => new DnsRecord(name, DnsRecordType.A, a.Address.ToString(), ttl),
            AaaaRecord aaaa => new DnsRecord(name, DnsRecordType.AAAA, aaaa.Address.ToString(), ttl),
            MxRecord mx => new DnsRecord(name, DnsRecordType.MX, $"{mx.Preference} {mx.Exchange.Value.TrimEnd('.').ToLowerInvariant()}", ttl),
            TxtRecord txt => new DnsRecord(name, DnsRecordType.TXT, string.Concat(txt.Text), ttl),
            _ => null,
        };
    }
}
