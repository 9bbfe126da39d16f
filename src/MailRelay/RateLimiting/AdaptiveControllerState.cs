namespace MailRelay.RateLimiting;

/// <summary>
/// What an <see cref="AdaptiveController"/> keeps across a restart: its delay, the end of an open circuit (still set
/// while half-open, until a probe closes it), its streaks and its counters. Slots already handed out are not kept:
/// they belong to the process that made them. The memory of where the provider's limit was met
/// (<see cref="AdaptiveControllerPace"/>) is optional: a file written before it existed restores without one, and the
/// controller learns it again at the next rate-limit reply.
/// </summary>
public sealed record AdaptiveControllerState(
    TimeSpan Delay,
    DateTimeOffset? OpenUntil,
    int SuccessStreak,
    int RateLimitStreak,
    long Trips,
    long RateLimitedReplies,
    long PacedWaits,
    long Sends)
{
    /// <summary>The delay at the last rate-limit reply, or null when none is remembered.</summary>
    public TimeSpan? LimitDelay { get; init; }

    /// <summary>Where recovery stops and holds before probing past <see cref="LimitDelay"/>.</summary>
    public TimeSpan? HoldDelay { get; init; }

    /// <summary>The delay of the last completed run of acceptances.</summary>
    public TimeSpan? GoodDelay { get; init; }

    /// <summary>Runs completed at or below <see cref="HoldDelay"/>.</summary>
    public int HeldRuns { get; init; }
}
