using MailRelay.Bounces;
using MailRelay.Inbound;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>Where a recipient's mail goes: relayed under the relay rules, or taken here as feedback (docs/inbound.md).</summary>
public enum RecipientRoute
{
    Relay,
    Inbound,
}

/// <summary>
/// The RCPT decisions for the feedback addresses. They are taken from any client, each <c>bounce+…</c> one only when
/// it is a VERP return path we issued and is still in date; every other recipient keeps the relay rules. A
/// transaction carries one kind of recipient only: inbound mail is processed here at the end of DATA while relayed
/// mail is queued, and a client mixing the two is asked to send the second kind again in a new transaction with
/// <c>452 4.5.3</c> (RFC 5321 §3.3: a 452 recipient is retried later, the accepted ones are delivered now).
/// </summary>
public sealed class InboundRouting
{
    private readonly InboundAddresses _addresses;
    private readonly IBounceAddressVerifier? _verifier;
    private readonly TimeProvider _time;

    public InboundRouting(InboundAddresses addresses, IBounceAddressVerifier? verifier, TimeProvider time)
    {
        _addresses = addresses;
        _verifier = verifier;
        _time = time;
    }

    public bool Enabled => _addresses.Enabled;

    public RecipientRoute Route(string recipient) =>
        _addresses.Contains(recipient) ? RecipientRoute.Inbound : RecipientRoute.Relay;

    /// <summary>The route of the transaction: that of its first accepted recipient; null before the first.</summary>
    public RecipientRoute? RouteOf(MailTransaction transaction) =>
        transaction.Recipients.Count == 0 ? null : Route(transaction.Recipients[0]);

    /// <summary>
    /// The check of an inbound recipient: a VERP return path must verify (forged, expired or malformed tokens get
    /// <c>550 5.7.1</c>: whoever sends to them is not returning our mail). Without a verifier no VERP return path was
    /// ever issued, so none can be genuine.
    /// </summary>
    public SmtpReply? CheckInbound(string recipient, out BounceAddressStatus? status)
    {
        status = null;
        var isBounceAddress = _verifier?.IsBounceAddress(recipient)
            ?? AddressParts.LocalPart(recipient).StartsWith(Bounces.VerpToken.Prefix, StringComparison.OrdinalIgnoreCase);
        if (!isBounceAddress)
        {
            return null;
        }

        var check = _verifier?.Verify(recipient, _time.GetUtcNow()) ?? new BounceAddressCheck(BounceAddressStatus.Forged, null, null, null);
        status = check.Status;
        return check.Status switch
        {
            BounceAddressStatus.Valid => null,
            BounceAddressStatus.Expired => new SmtpReply(550, "5.7.1", $"<{recipient}>: Recipient address rejected: return path expired"),
            BounceAddressStatus.Forged => new SmtpReply(550, "5.7.1", $"<{recipient}>: Recipient address rejected: not a return path of ours"),
            _ => new SmtpReply(550, "5.7.1", $"<{recipient}>: Recipient address rejected: malformed return path"),
        };
    }

    /// <summary>The reply to a recipient of the other kind than the transaction's.</summary>
    public static SmtpReply MixedTransaction(string recipient) =>
        new(452, "4.5.3", $"<{recipient}>: feedback and relayed recipients go in separate transactions; send this one again");
}
