namespace MailRelay.RateLimiting;

/// <summary>One provider's warm-up today (UTC): messages counted and the day's cap (null once warm-up is over).</summary>
public sealed record WarmupSnapshot(ProviderKey Provider, int SentToday, int? CapToday);
