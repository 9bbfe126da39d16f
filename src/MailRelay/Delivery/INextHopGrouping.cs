namespace MailRelay.Delivery;

/// <summary>
/// Tells the scheduler which recipient domains share a next hop, so that a message's recipients at those domains
/// go in one transaction. Implemented by the transport, which knows the routes. Answers at once, without a lookup:
/// a domain whose next hop is not known yet is a group of its own.
/// </summary>
public interface INextHopGrouping
{
    /// <summary>
    /// A key equal for domains whose mail goes to the same next hop: the smarthost, one DELIVERY_ROUTES
    /// destination, or the same MX host list as last looked up; otherwise a key of the domain alone.
    /// </summary>
    string NextHopKeyOf(string domain);
}
