namespace MailRelay.Inbound.Authentication;

/// <param name="Records">Each TXT record's character-strings joined without separator (RFC 7208 §3.3, RFC 6376 §3.6.2.2).</param>
public sealed record TxtLookup(TxtLookupStatus Status, IReadOnlyList<string> Records);
