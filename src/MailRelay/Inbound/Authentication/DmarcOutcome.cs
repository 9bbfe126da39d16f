namespace MailRelay.Inbound.Authentication;

/// <param name="Result">none, pass, fail, temperror or permerror.</param>
/// <param name="FromDomain">The RFC5322.From domain; null when the From field gives none (or several).</param>
/// <param name="Record">The policy record that applied; null when none was found.</param>
/// <param name="RequestedPolicy">p, or sp for a subdomain under an organizational record: what the domain asks for on failure.</param>
/// <param name="AppliedPolicy">The requested policy after pct sampling (§6.6.4): what this message is subject to when it failed.</param>
public sealed record DmarcOutcome(string Result, string? FromDomain, DmarcRecord? Record, string? RequestedPolicy, string? AppliedPolicy);
