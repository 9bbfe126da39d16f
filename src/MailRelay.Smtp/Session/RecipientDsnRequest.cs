namespace MailRelay.Smtp.Session;

/// <summary>
/// The DSN parameters of one RCPT TO (RFC 3461 §4.1, §4.2) as the client gave them: NOTIFY upper-cased
/// (<c>NEVER</c>, or a list of <c>SUCCESS</c>, <c>FAILURE</c>, <c>DELAY</c>), ORCPT as <c>type;xtext</c>.
/// </summary>
public sealed record RecipientDsnRequest(string? Notify, string? OriginalRecipient);
