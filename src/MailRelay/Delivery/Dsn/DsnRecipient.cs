namespace MailRelay.Delivery.Dsn;

/// <summary>One recipient's part of a delivery status notification.</summary>
/// <param name="Recipient">The envelope recipient (Final-Recipient rfc822).</param>
/// <param name="Status">The RFC 3463 status, e.g. <c>5.1.1</c> or <c>4.4.7</c>.</param>
/// <param name="RemoteMta">The host that answered (Remote-MTA dns), if one did.</param>
/// <param name="Diagnostic">The remote reply as text (Diagnostic-Code smtp), if any.</param>
/// <param name="LastAttempt">When the last attempt ended.</param>
/// <param name="OriginalRecipient">The ORCPT the client gave (<c>rfc822;user@example.net</c>, xtext decoded), if any.</param>
public sealed record DsnRecipient(
    string Recipient,
    DsnAction Action,
    string Status,
    string? RemoteMta,
    string? Diagnostic,
    DateTimeOffset? LastAttempt,
    string? OriginalRecipient = null);
