namespace MailRelay.Bounces;

/// <summary>
/// Checks a VERP return path (<c>bounce+TOKEN@domain</c>) that a bounce or a complaint came back to: whether its HMAC
/// is ours (BOUNCE_HMAC_SECRET) and it is younger than BOUNCE_MAX_AGE, and which queue id and recipient it stands for.
/// </summary>
public interface IBounceAddressVerifier
{
    /// <summary>Whether <paramref name="address"/>'s local part has the VERP form at all (prefix match).</summary>
    bool IsBounceAddress(string address);

    /// <summary>Checks <paramref name="address"/> (the whole address) at <paramref name="now"/>.</summary>
    BounceAddressCheck Verify(string address, DateTimeOffset now);
}

public enum BounceAddressStatus
{
    /// <summary>Ours and in date: <see cref="BounceAddressCheck.QueueId"/> and the recipient are set.</summary>
    Valid,

    /// <summary>Not of the VERP form (or undecodable).</summary>
    Malformed,

    /// <summary>The HMAC does not match: not issued by us (or by us under another secret).</summary>
    Forged,

    /// <summary>Issued by us, longer ago than BOUNCE_MAX_AGE (or in the future beyond clock skew).</summary>
    Expired,
}

/// <param name="Status">The verdict.</param>
/// <param name="QueueId">The queue id of the message the address was the return path of (when valid).</param>
/// <param name="Recipient">The recipient that message was sent to with this return path (when valid).</param>
/// <param name="Issued">When the address was issued (when decodable).</param>
public sealed record BounceAddressCheck(BounceAddressStatus Status, string? QueueId, string? Recipient, DateTimeOffset? Issued);
