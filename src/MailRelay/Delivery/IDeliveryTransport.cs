namespace MailRelay.Delivery;

/// <summary>
/// Hands messages to the next hop: route (DELIVERY_ROUTES, smarthost, MX), connect, send, and report
/// one result per requested recipient. Outcomes are values, never exceptions: a DNS failure, a refused
/// connection or a 5xx for one recipient all come back as results. Only cancellation throws.
/// </summary>
public interface IDeliveryTransport
{
    Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken);
}
