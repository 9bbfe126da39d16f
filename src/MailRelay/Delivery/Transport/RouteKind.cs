namespace MailRelay.Delivery.Transport;

/// <summary>Which rule chose the next hops of a domain.</summary>
public enum RouteKind
{
    /// <summary>A DELIVERY_ROUTES entry for the domain.</summary>
    TransportMap,

    /// <summary>RELAY_HOST.</summary>
    Smarthost,

    /// <summary>The domain's MX records, or its own address when it has none.</summary>
    MailExchangers,
}
