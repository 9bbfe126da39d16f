namespace MailRelay.RateLimiting;

/// <summary>What a <see cref="WarmupCounter"/> keeps across a restart: the UTC day it counts and the sends counted in it.</summary>
public sealed record WarmupCounterState(DateOnly Day, int Sent);
