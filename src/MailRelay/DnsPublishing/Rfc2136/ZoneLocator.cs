using System.Collections.Concurrent;
using ARSoft.Tools.Net.Dns;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// Finds the zone that holds a name by asking the primary for its SOA (RFC 2136 §4: an UPDATE names its zone, and
/// a server refuses one for a name outside it with NOTZONE). An authoritative server answers the SOA query at any
/// name in its zone with the zone's SOA, in the answer at the apex and in the authority section below it, whether the
/// name exists or not; without one (a referral to a delegated child, a refusal) the walk goes up one label.
/// Zones do not move while the relay runs, so each name's zone is asked once per provider.
/// </summary>
internal sealed class ZoneLocator
{
    private readonly PrimaryServer _server;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _zones = new(StringComparer.Ordinal);

    public ZoneLocator(PrimaryServer server, ILogger logger)
    {
        _server = server;
        _logger = logger;
    }

    /// <summary>The zone of <paramref name="name"/> (lower case, no trailing dot).</summary>
    /// <exception cref="DnsProviderException">The server holds no zone for the name, or failed.</exception>
    public async Task<string> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (_zones.TryGetValue(name, out var known))
        {
            return known;
        }

        var target = WireRecords.NameOf(name);
        var candidate = target;
        var lastAnswer = "no answer";
        while (candidate.LabelCount > 0)
        {
            var answer = await _server.QueryAsync(candidate, RecordType.Soa, cancellationToken);
            if (answer.ReturnCode is not (ReturnCode.NoError or ReturnCode.NxDomain or ReturnCode.Refused))
            {
                throw new DnsProviderException(
                    $"SOA query for {candidate.ToString(false)} at {_server.EndPoint}: {ResponseCodeText.Of(answer.ReturnCode)}.");
            }

            var soa = answer.AnswerRecords.Concat(answer.AuthorityRecords)
                .OfType<SoaRecord>()
                .FirstOrDefault(record => target.IsEqualOrSubDomainOf(record.Name));
            if (soa is not null)
            {
                var zone = WireRecords.TextOf(soa.Name);
                _zones[name] = zone;
                Rfc2136Log.ZoneFound(_logger, name, zone, _server.EndPoint);
                return zone;
            }

            lastAnswer = ResponseCodeText.Of(answer.ReturnCode);
            candidate = candidate.GetParentName();
        }

        throw new DnsProviderException(
            $"{_server.EndPoint} holds no zone for {name} (its last SOA answer: {lastAnswer}); DNS_RFC2136_SERVER must be the zone's primary.");
    }
}
