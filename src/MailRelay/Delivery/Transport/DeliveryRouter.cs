using System.Collections.Concurrent;
using System.Globalization;
using MailRelay.Configuration;
using MailRelay.Dns;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Chooses the next hops for a recipient domain: its DELIVERY_ROUTES entry (exact domain only: a route for
/// <c>example.com</c> does not cover <c>sub.example.com</c>), else the smarthost, else its MX hosts
/// (RFC 5321 §5.1), falling back to the domain itself when it has no MX. It remembers each domain's MX host list
/// from the last lookup, so that <see cref="NextHopKeyOf"/> can tell which domains share a next hop without one.
/// </summary>
public sealed class DeliveryRouter
{
    /// <summary>Bound on remembered MX host lists, so a flood of distinct domains cannot grow memory forever.</summary>
    private const int MaxRememberedDomains = 100_000;

    private readonly SmtpTransportOptions _options;
    private readonly MailExchangerResolver _resolver;
    private readonly ConcurrentDictionary<string, string> _mxHosts = new(StringComparer.Ordinal);

    public DeliveryRouter(SmtpTransportOptions options, MailExchangerResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolver);
        _options = options;
        _resolver = resolver;
    }

    public async Task<RoutePlan> PlanAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var key = domain.TrimEnd('.').ToLowerInvariant();
        if (_options.Routes.TryGetValue(key, out var route))
        {
            // A transport-map destination is treated like an MX host: opportunistic TLS, no AUTH.
            return new RoutePlan(RouteKind.TransportMap, [new NextHop(route.Host, route.Port, HopSecurity.Opportunistic, null)], null);
        }

        if (!string.IsNullOrEmpty(_options.RelayHost))
        {
            return new RoutePlan(RouteKind.Smarthost, [SmarthostHop()], null);
        }

        var mx = await _resolver.LookupMxAsync(key, cancellationToken).ConfigureAwait(false);
        Remember(key, mx);
        return mx.Status switch
        {
            MxLookupStatus.Found => new RoutePlan(
                RouteKind.MailExchangers,
                mx.Exchangers.Select(exchanger => new NextHop(exchanger.Host, _options.MxPort, HopSecurity.Opportunistic, null)).ToList(),
                null),
            MxLookupStatus.NoMx => new RoutePlan(
                RouteKind.MailExchangers, [new NextHop(key, _options.MxPort, HopSecurity.Opportunistic, null)], null, ImplicitMx: true),
            MxLookupStatus.NullMx => RoutePlan.Failed(
                RouteKind.MailExchangers, new RemoteReply(556, "5.1.10", $"Recipient address has null MX: {mx.Detail}")),
            MxLookupStatus.DomainNotFound => RoutePlan.Failed(
                RouteKind.MailExchangers, new RemoteReply(550, "5.1.2", $"Host or domain name not found: {mx.Detail}")),
            _ => RoutePlan.Failed(
                RouteKind.MailExchangers, new RemoteReply(451, "4.4.3", $"Temporary DNS failure: {mx.Detail}")),
        };
    }

    /// <summary>
    /// A key equal for domains whose mail goes to the same next hop: <c>route:host:port</c> for a DELIVERY_ROUTES
    /// entry, <c>relay</c> for the smarthost, <c>mx:</c> and the MX host names in order as last looked up, and
    /// <c>domain:</c> and the domain itself when its MX hosts are not known (yet), or it has none.
    /// </summary>
    public string NextHopKeyOf(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var key = domain.TrimEnd('.').ToLowerInvariant();
        if (_options.Routes.TryGetValue(key, out var route))
        {
            return $"route:{route.Host}:{route.Port}";
        }

        if (!string.IsNullOrEmpty(_options.RelayHost))
        {
            return "relay";
        }

        return _mxHosts.TryGetValue(key, out var hosts) ? hosts : "domain:" + key;
    }

    /// <summary>Keeps what an MX lookup for <paramref name="domain"/> said about its next hops.</summary>
    public void Remember(string domain, MxLookupResult mx)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(mx);
        var key = domain.TrimEnd('.').ToLowerInvariant();
        if (mx.Status != MxLookupStatus.Found)
        {
            // No MX (the domain itself), null MX or trouble: nobody else's hosts.
            _mxHosts.TryRemove(key, out _);
            return;
        }

        if (_mxHosts.Count >= MaxRememberedDomains && !_mxHosts.ContainsKey(key))
        {
            // Crude but bounded, as the provider cache; lists refill from the next lookups.
            _mxHosts.Clear();
        }

        // Sorted: the lookup shuffles hosts of equal preference, and the same hosts must give the same key.
        var hosts = mx.Exchangers
            .OrderBy(exchanger => exchanger.Preference)
            .ThenBy(exchanger => exchanger.Host, StringComparer.OrdinalIgnoreCase)
            .Select(exchanger => exchanger.Preference.ToString(CultureInfo.InvariantCulture) + " " + exchanger.Host.ToLowerInvariant());
        _mxHosts[key] = "mx:" + string.Join(',', hosts);
    }

    private NextHop SmarthostHop()
    {
        var security = _options.RelayTls switch
        {
            RelayTlsMode.Required when _options.RelayPort == 465 => HopSecurity.ImplicitTls,
            RelayTlsMode.Required => HopSecurity.RequiredStartTls,
            RelayTlsMode.Opportunistic => HopSecurity.Opportunistic,
            _ => HopSecurity.None,
        };
        return new NextHop(_options.RelayHost!, _options.RelayPort, security, _options.RelayCredentials);
    }
}
