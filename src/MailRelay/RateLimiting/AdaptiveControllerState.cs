namespace MailRelay.RateLimiting;

/// <summary>
/// What an <see cref="AdaptiveController"/> keeps across a restart: its delay, the end of an open circuit (still set
/// while half-open, until a probe closes it), its streaks and its counters. Slots already handed out are not kept:
/// they belong to the process that made them.
/// </summary>
public sealed record AdaptiveControllerState(
    TimeSpan Delay,
    DateTimeOffset? OpenUntil,
    int SuccessStreak,
    int RateLimitStreak,
    long Trips,
    long RateLimitedReplies,
    long PacedWaits,
    long Sends);
