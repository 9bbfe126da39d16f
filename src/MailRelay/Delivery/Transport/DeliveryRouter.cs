using MailRelay.Configuration;
using MailRelay.Dns;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Chooses the next hops for a recipient domain: its DELIVERY_ROUTES entry (exact domain only: a route for
/// <c>example.com</c> does not cover <c>sub.example.com</c>), else the smarthost, else its MX hosts
/// (RFC 5321 §5.1), falling back to the domain itself when it has no MX.
/// </summary>
public sealed class DeliveryRouter
{
    private readonly SmtpTransportOptions _options;
    private readonly MailExchangerResolver _resolver;

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
