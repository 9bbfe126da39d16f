namespace MailRelay.RateLimiting;

/// <summary>
/// The answer to a claim: either a send slot (possibly the circuit's single probe), or a deferral until a time.
/// A deferral comes from our own pacing and must not count against the message's retry schedule.
/// </summary>
public readonly record struct SlotClaim(bool Granted, DateTimeOffset At, bool IsProbe)
{
    public static SlotClaim Slot(DateTimeOffset at, bool isProbe) => new(true, at, isProbe);

    public static SlotClaim Deferred(DateTimeOffset until) => new(false, until, false);
}
