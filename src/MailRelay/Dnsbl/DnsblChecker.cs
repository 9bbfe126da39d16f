using System.Net;
using System.Text;
using DnsClient;

namespace MailRelay.Dnsbl;

/// <summary>
/// Asks blocklists through the configured resolvers (DNS_SERVERS): an A query for the listing, and when listed (or when
/// the list answers an error code) a TXT query at the same name for the list's reason.
/// </summary>
public sealed class DnsblChecker
{
    /// <summary>Queries in flight at once: a run is a few dozen queries, and a resolver should not see them as a flood.</summary>
    private const int Parallelism = 4;

    /// <summary>A TXT reason is a sentence and a URL; anything longer is cut, so a list cannot fill the logs.</summary>
    private const int MaxReasonLength = 300;

    private readonly ILookupClient _dns;

    public DnsblChecker(ILookupClient dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
    }

    /// <summary>Every address on every IP list and every domain on every domain list, in that order.</summary>
    public async Task<IReadOnlyList<DnsblResult>> CheckAllAsync(
        IReadOnlyList<IPAddress> addresses, IReadOnlyList<string> domains, IReadOnlyList<DnsblList> lists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(lists);
        var work = addresses.Select(a => a.ToString()).SelectMany(a => lists.Where(l => l.Kind == DnsblListKind.Ip).Select(l => (Target: a, List: l)))
            .Concat(domains.SelectMany(d => lists.Where(l => l.Kind == DnsblListKind.Domain).Select(l => (Target: d, List: l))))
            .ToArray();
        var results = new DnsblResult[work.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, work.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, token) => results[i] = await CheckAsync(work[i].List, work[i].Target, token));
        return results;
    }

    public async Task<DnsblResult> CheckAsync(DnsblList list, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(target);
        var name = DnsblQueryName.For(list, target);
        IDnsQueryResponse response;
        try
        {
            response = await _dns.QueryAsync(name, QueryType.A, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException e)
        {
            var reason = e.Code == DnsResponseCode.ConnectionTimeout ? DnsblErrorReason.Timeout : DnsblErrorReason.DnsFailure;
            return new DnsblResult(target, list, DnsblState.Error, e.Message, null, reason);
        }

        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new DnsblResult(target, list, DnsblState.Clean, string.Empty, null, null);
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            return new DnsblResult(target, list, DnsblState.Error, code.ToString().ToUpperInvariant(), null, DnsblErrorReason.DnsFailure);
        }

        var answers = response.Answers.ARecords().Select(a => a.Address).Distinct().ToArray();
        if (answers.Length == 0)
        {
            return new DnsblResult(target, list, DnsblState.Clean, string.Empty, null, null);
        }

        var meanings = answers.Select(list.Classify).ToArray();
        var answerText = string.Join(",", answers.Select(a => a.ToString()));
        var reasonText = await ReadReasonAsync(name, cancellationToken);
        // Any error code makes the whole answer an error: a list that refused the query has said nothing about the target.
        return meanings.Contains(DnsblAnswerMeaning.Refused)
            ? new DnsblResult(target, list, DnsblState.Error, answerText, reasonText, DnsblErrorReason.Refused)
            : meanings.Contains(DnsblAnswerMeaning.Unexpected)
            ? new DnsblResult(target, list, DnsblState.Error, answerText, reasonText, DnsblErrorReason.UnexpectedAnswer)
            : new DnsblResult(target, list, DnsblState.Listed, answerText, reasonText, null);
    }

    /// <summary>The first TXT record's text, cleaned for one log line; null when there is none or it cannot be had.</summary>
    private async Task<string?> ReadReasonAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _dns.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken);
            var text = response.Answers.TxtRecords().FirstOrDefault() is { } txt ? string.Concat(txt.Text) : null;
            return string.IsNullOrWhiteSpace(text) ? null : Clean(text);
        }
        catch (DnsResponseException)
        {
            return null;
        }
    }

    private static string Clean(string text)
    {
        var clean = new StringBuilder(Math.Min(text.Length, MaxReasonLength));
        foreach (var c in text.Trim())
        {
            if (clean.Length == MaxReasonLength)
            {
                clean.Append('…');
                break;
            }

            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        return clean.ToString();
    }
}
