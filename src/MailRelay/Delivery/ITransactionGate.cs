namespace MailRelay.Delivery;

/// <summary>
/// The pacing of one paced request's transaction, applied where the receiver measures it: the transport calls
/// <see cref="WaitToStartAsync"/> on a ready connection (new, or reused after RSET) just before MAIL FROM, and the
/// wait ends when the send slot, <c>delayMs</c>, the rate window and the adaptive delay allow the transaction to
/// begin. A request starts at most one transaction, so the gate opens once.
/// </summary>
public interface ITransactionGate
{
    /// <summary>Waits until the transaction may begin and records that it begins now. Only cancellation throws.</summary>
    ValueTask WaitToStartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called right after the MAIL FROM was written: the gaps that follow are kept from this instant, so the time our
    /// side took between the gate and the wire never shortens the next gap. A transaction whose MAIL FROM never left
    /// keeps the instant the gate opened.
    /// </summary>
    void MailFromSent();
}
