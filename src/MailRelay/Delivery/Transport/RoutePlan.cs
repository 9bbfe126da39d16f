namespace MailRelay.Delivery.Transport;

/// <summary>
/// Where to try delivering mail for one domain: the hosts in order, or, when routing itself failed (null
/// MX, NXDOMAIN, a DNS error), the reply and outcome every recipient gets. <see cref="ImplicitMx"/> marks
/// a domain without MX records whose own address records are the only host (RFC 5321 §5.1): if it has
/// none either, the domain cannot receive mail.
/// </summary>
public sealed record RoutePlan(RouteKind Kind, IReadOnlyList<NextHop> Hosts, RemoteReply? Failure, bool ImplicitMx = false)
{
    public static RoutePlan Failed(RouteKind kind, RemoteReply reply) => new(kind, [], reply);
}
