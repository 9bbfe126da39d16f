namespace MailRelay.Delivery.Transport;

/// <summary>The per-recipient results of one transaction, and whether its connection may carry another.</summary>
public sealed record TransactionOutcome(IReadOnlyList<RecipientResult> Results, bool ConnectionReusable);
