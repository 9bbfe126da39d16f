namespace MailRelay.RateLimiting;

/// <summary>One provider's persisted state; either part is null when it has none.</summary>
public sealed record ProviderPacingState(string Provider, AdaptiveControllerState? Adaptive, WarmupCounterState? Warmup);
