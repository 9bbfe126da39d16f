using System.Net;

namespace MailRelay.Dnsbl;

/// <summary>
/// One blocklist: the zone asked, and which answers mean "listed" and which mean that the list refused or could not
/// answer the query (over quota, a public resolver, an invalid query). An answer in neither set is not trusted either:
/// it counts as an error, never as a listing.
/// </summary>
/// <param name="Name">The list's name in metrics and logs: the zone, less a private query key (Spamhaus DQS).</param>
public sealed record DnsblList(string Name, string Zone, DnsblListKind Kind, IReadOnlyList<AnswerRange> Listed, IReadOnlyList<AnswerRange> Errors)
{
    public DnsblAnswerMeaning Classify(IPAddress answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (Errors.Any(r => r.Contains(answer)))
        {
            return DnsblAnswerMeaning.Refused;
        }

        return Listed.Any(r => r.Contains(answer)) ? DnsblAnswerMeaning.Listed : DnsblAnswerMeaning.Unexpected;
    }

    /// <summary>The entry as DNSBL_IP_LISTS / DNSBL_DOMAIN_LISTS take it, with every range written out.</summary>
    public string Describe() =>
        $"{Zone}={string.Join(';', Listed)}" + (Errors.Count == 0 ? string.Empty : "/" + string.Join(';', Errors));
}
