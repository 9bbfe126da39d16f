namespace MailRelay.Inbound.Authentication;

/// <param name="Result">pass, fail, policy, neutral, temperror or permerror (RFC 8601 §2.7.1).</param>
/// <param name="Domain">The signature's <c>d=</c>, lower case; null when it has none.</param>
/// <param name="Selector">The signature's <c>s=</c>; null when it has none.</param>
/// <param name="SignaturePrefix">The first characters of <c>b=</c> (RFC 6008), to tell several signatures apart.</param>
/// <param name="Reason">Why it did not pass, for the comment in Authentication-Results; null when it passed.</param>
public sealed record DkimSignatureOutcome(string Result, string? Domain, string? Selector, string? SignaturePrefix, string? Reason);
