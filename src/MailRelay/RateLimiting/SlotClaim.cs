namespace MailRelay.RateLimiting;

/// <summary>
/// The answer to a claim: either a send slot (possibly the circuit's single probe), or a deferral until a time.
/// A deferral comes from our own pacing and must not count against the message's retry schedule.
/// <see cref="Trips"/> is the controller's trip count when the slot was granted, so that a slot awaited across a
/// trip can be recognised as void (<see cref="AdaptiveController.IsVoid"/>).
/// </summary>
public readonly record struct SlotClaim(bool Granted, DateTimeOffset At, bool IsProbe, long Trips = 0)
{
    public static SlotClaim Slot(DateTimeOffset at, bool isProbe, long trips = 0) => new(true, at, isProbe, trips);

    public static SlotClaim Deferred(DateTimeOffset until) => new(false, until, false);
}
