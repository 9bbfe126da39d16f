namespace MailRelay.Webhooks;

/// <summary>
/// The delay before an event's next attempt: doubling from <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>, each
/// delay drawn between half and all of that (jitter, so that the events a receiver's outage held back do not all come
/// back at the same instant). A Retry-After longer than that is honoured, up to <see cref="MaxRetryAfter"/>. Nothing
/// here is counted in attempts: an event is retried until WEBHOOK_MAX_AGE, however many attempts that takes.
/// </summary>
public static class WebhookBackoff
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    /// <summary>A receiver asking for more than an hour's pause is not believed further.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <param name="failures">Failed attempts of the event so far, from 1.</param>
    /// <param name="random">A number in [0, 1) (the jitter).</param>
    /// <param name="retryAfter">The endpoint's Retry-After, if it gave one.</param>
    public static TimeSpan Delay(int failures, double random, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var ceiling = Ceiling(failures);
        var delay = ceiling * (0.5 + (0.5 * Math.Clamp(random, 0, 1)));
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }

        // Whole milliseconds, as timers count them.
        return TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds));
    }

    /// <summary>The longest delay after <paramref name="failures"/> failures (before jitter takes up to half of it off).</summary>
    public static TimeSpan Ceiling(int failures)
    {
        // 2^10 s is already past the cap: no overflow for an event retried for days.
        var doublings = Math.Min(failures - 1, 20);
        var ceiling = FirstDelay * Math.Pow(2, doublings);
        return ceiling < MaxDelay ? ceiling : MaxDelay;
    }
}
