using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using MailRelay.Configuration;

namespace MailRelay.Dns;

/// <summary>
/// MX and address lookups for delivery, with the rules of RFC 5321 §5.1 and RFC 7505: MX records by
/// preference with a random order among equal preferences, "no MX" told apart from "no domain", a null MX
/// recognised, and every DNS trouble (SERVFAIL, REFUSED, timeouts, unreachable servers) reported as
/// temporary so that it defers delivery instead of bouncing it.
/// </summary>
public sealed class MailExchangerResolver
{
    private readonly ILookupClient _lookup;
    private readonly InetProtocols _protocols;
    private readonly Random _random;

    /// <param name="random">Shuffles MX hosts of equal preference; tests pass a seeded one.</param>
    public MailExchangerResolver(ILookupClient lookup, InetProtocols protocols, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
        _protocols = protocols;
        _random = random ?? Random.Shared;
    }

    public async Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var (response, failure) = await QueryAsync(domain, QueryType.MX, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return new MxLookupResult(MxLookupStatus.TemporaryFailure, [], failure!);
        }

        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new MxLookupResult(MxLookupStatus.DomainNotFound, [], $"{domain}: domain not found (NXDOMAIN)");
        }

        if (response.HasError)
        {
            return new MxLookupResult(
                MxLookupStatus.TemporaryFailure, [], $"MX lookup for {domain} failed: {response.ErrorMessage}");
        }

        var records = response.Answers.MxRecords().ToList();
        if (records.Count == 0)
        {
            return new MxLookupResult(MxLookupStatus.NoMx, [], $"{domain} has no MX records");
        }

        var exchangers = records
            .Select(record => new MailExchanger(HostName(record.Exchange), record.Preference))
            .ToList();

        // RFC 7505 §3: a null MX is the domain's only MX. Mixed with real ones it is a configuration
        // error, and the real hosts are still worth trying.
        var real = exchangers.Where(exchanger => exchanger.Host.Length > 0).ToList();
        if (real.Count == 0)
        {
            return new MxLookupResult(MxLookupStatus.NullMx, [], $"{domain} publishes a null MX (RFC 7505)");
        }

        return new MxLookupResult(MxLookupStatus.Found, Order(real), $"{real.Count} MX records for {domain}");
    }

    /// <summary>The host's addresses of the families INET_PROTOCOLS allows (IPv6 first under <c>all</c>).</summary>
    public async Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return Allowed(literal)
                ? new AddressLookupResult(AddressLookupStatus.Found, [literal], host)
                : new AddressLookupResult(AddressLookupStatus.NotFound, [], $"{host}: address family excluded by INET_PROTOCOLS");
        }

        var addresses = new List<IPAddress>();
        string? temporary = null;
        var details = new List<string>();
        foreach (var type in QueryTypes())
        {
            var (response, failure) = await QueryAsync(host, type, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                temporary = failure;
                continue;
            }

            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            {
                details.Add($"{host}: host not found (NXDOMAIN)");
                continue;
            }

            if (response.HasError)
            {
                temporary = $"{type} lookup for {host} failed: {response.ErrorMessage}";
                continue;
            }

            addresses.AddRange(response.Answers.OfType<AddressRecord>().Select(record => record.Address).Where(Allowed));
        }

        if (addresses.Count > 0)
        {
            return new AddressLookupResult(AddressLookupStatus.Found, addresses.Distinct().ToList(), host);
        }

        if (temporary is not null)
        {
            return new AddressLookupResult(AddressLookupStatus.TemporaryFailure, [], temporary);
        }

        var detail = details.Count > 0 ? details[0] : $"{host}: no {DescribeFamilies()} records";
        return new AddressLookupResult(AddressLookupStatus.NotFound, [], detail);
    }

    private static string HostName(DnsString exchange) => exchange.Value.TrimEnd('.');

    private List<MailExchanger> Order(List<MailExchanger> exchangers)
    {
        var ordered = new List<MailExchanger>(exchangers.Count);
        foreach (var group in exchangers.GroupBy(exchanger => exchanger.Preference).OrderBy(group => group.Key))
        {
            var equals = group.ToArray();
            _random.Shuffle(equals);
            ordered.AddRange(equals);
        }

        return ordered;
    }

    private async Task<(IDnsQueryResponse? Response, string? Failure)> QueryAsync(
        string name, QueryType type, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _lookup.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            return (response, null);
        }
        catch (DnsResponseException ex)
        {
            // DnsClient throws for timeouts and unreachable servers even with ThrowDnsErrors off.
            return (null, $"{type} lookup for {name} failed: {ex.Message}");
        }
        catch (SocketException ex)
        {
            return (null, $"{type} lookup for {name} failed: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"{type} lookup for {name} timed out");
        }
    }

    private IEnumerable<QueryType> QueryTypes() => _protocols switch
    {
        InetProtocols.IPv4 => [QueryType.A],
        InetProtocols.IPv6 => [QueryType.AAAA],
        _ => [QueryType.AAAA, QueryType.A],
    };

    private string DescribeFamilies() => _protocols switch
    {
        InetProtocols.IPv4 => "A",
        InetProtocols.IPv6 => "AAAA",
        _ => "A or AAAA",
    };

    private bool Allowed(IPAddress address) => _protocols switch
    {
        InetProtocols.IPv4 => address.AddressFamily == AddressFamily.InterNetwork,
        InetProtocols.IPv6 => address.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };
}
