using MailRelay.Queue;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Signs a message on its way out (DKIM). The transport calls it, when one is registered, once per send
/// attempt with the stored message bytes, and prepends what it returns; the stored file is never changed.
/// </summary>
public interface IMessageSigner
{
    /// <summary>
    /// Reads <paramref name="message"/> (the stored bytes, positioned at their start; the transport rewinds
    /// it afterwards) and returns the complete header field(s) to put in front of it, every line ending in
    /// CRLF, or null to send the message unsigned.
    /// </summary>
    ValueTask<string?> CreateSignatureHeaderAsync(Stream message, QueueEntry entry, CancellationToken cancellationToken);
}
