namespace MailRelay.Dnsbl;

/// <summary>One target on one list.</summary>
/// <param name="Target">The address or domain asked about.</param>
/// <param name="Answer">The A answers, comma-separated; empty for NXDOMAIN; the failure for a DNS error.</param>
/// <param name="Reason">The list's TXT text when listed (or when it explains an error code), else null.</param>
/// <param name="Error">Why the state is <see cref="DnsblState.Error"/>, else null.</param>
public sealed record DnsblResult(string Target, DnsblList List, DnsblState State, string Answer, string? Reason, DnsblErrorReason? Error);
