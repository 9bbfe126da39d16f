using MailRelay.Queue;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Gives a transaction a MAIL FROM other than the envelope sender (the VERP return paths of BOUNCE_VERP_ENABLED).
/// Registered only when one is wanted; the transport then sends each recipient in a transaction of its own.
/// </summary>
public interface IReturnPathSource
{
    /// <summary>
    /// The MAIL FROM for <paramref name="recipient"/> of <paramref name="message"/>; null keeps the envelope sender.
    /// Throws an I/O exception when what the return path needs could not be stored: the recipient is then deferred.
    /// </summary>
    string? ReturnPathFor(QueueEntry message, string recipient);
}
