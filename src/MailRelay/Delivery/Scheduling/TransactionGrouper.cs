using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// Splits a message's due recipients into delivery requests, one transaction each: recipients whose domains share
/// a next hop (<see cref="INextHopGrouping"/>) go together, in RCPT order, at most <see cref="Limit"/> to a request.
/// With pacing on, a request is admitted, counted and reported by one pacing scope, so recipients also go together
/// only when their provider and custom-domain scope agree. A transport that cannot tell next hops apart gets one
/// group per recipient domain.
/// </summary>
internal sealed class TransactionGrouper
{
    private readonly INextHopGrouping? _nextHops;
    private readonly PacingRegistry? _pacing;

    public TransactionGrouper(INextHopGrouping? nextHops, PacingRegistry? pacing, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _nextHops = nextHops;
        _pacing = pacing;
        Limit = limit;
    }

    /// <summary>DELIVERY_RECIPIENT_LIMIT.</summary>
    public int Limit { get; }

    /// <summary>
    /// The requests for <paramref name="due"/>: each with the domain whose route it follows (its first recipient's)
    /// and its recipients. Groups come in the order of their first recipient.
    /// </summary>
    public List<(string Domain, List<string> Recipients)> Group(IReadOnlyList<string> due)
    {
        var groups = new List<(string Domain, List<string> Recipients)>();
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var recipient in due)
        {
            var domain = RecipientDomain.Of(recipient);
            var key = KeyOf(domain);
            if (!byKey.TryGetValue(key, out var index))
            {
                index = groups.Count;
                byKey[key] = index;
                groups.Add((domain, []));
            }

            groups[index].Recipients.Add(recipient);
        }

        var requests = new List<(string Domain, List<string> Recipients)>(groups.Count);
        foreach (var (domain, recipients) in groups)
        {
            for (var start = 0; start < recipients.Count; start += Limit)
            {
                requests.Add((domain, recipients.GetRange(start, Math.Min(Limit, recipients.Count - start))));
            }
        }

        return requests;
    }

    private string KeyOf(string domain)
    {
        // A recipient without a domain cannot be routed with anyone else's.
        if (domain.Length == 0 || _nextHops is null)
        {
            return "domain:" + domain;
        }

        var hop = _nextHops.NextHopKeyOf(domain);
        if (_pacing is null)
        {
            return hop;
        }

        return hop + "\n" + _pacing.Resolver.ForDomain(domain).Value + "\n" + _pacing.DomainScope(domain)?.Value;
    }
}
