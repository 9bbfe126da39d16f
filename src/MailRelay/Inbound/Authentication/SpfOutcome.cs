namespace MailRelay.Inbound.Authentication;

/// <param name="Result">An RFC 7208 §2.6 result keyword (<see cref="AuthResult"/>).</param>
/// <param name="Domain">The domain checked: the MAIL FROM domain, or the HELO name for the null sender; null when there was none to check.</param>
/// <param name="Identity">What is recorded as <c>smtp.mailfrom</c> or <c>smtp.helo</c>.</param>
/// <param name="IsHelo">Whether the HELO identity was checked (the null sender).</param>
public sealed record SpfOutcome(string Result, string? Domain, string? Identity, bool IsHelo);
