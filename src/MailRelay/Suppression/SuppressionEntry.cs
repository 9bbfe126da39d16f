namespace MailRelay.Suppression;

/// <summary>One suppressed recipient: refused at RCPT until <paramref name="Until"/>.</summary>
/// <param name="Address">The recipient as it was reported (compared without regard to case).</param>
public sealed record SuppressionEntry(string Address, SuppressionReason Reason, DateTimeOffset Since, DateTimeOffset Until);
