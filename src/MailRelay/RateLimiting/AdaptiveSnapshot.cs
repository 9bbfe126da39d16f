namespace MailRelay.RateLimiting;

/// <summary>What an <see cref="AdaptiveController"/> is doing, for metrics, logs and persistence.</summary>
public sealed record AdaptiveSnapshot(
    ProviderKey Provider,
    TimeSpan CurrentDelay,
    CircuitState State,
    DateTimeOffset? OpenUntil,
    long Trips,
    long RateLimitedReplies,
    long PacedWaits,
    long Sends);
