namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// When a deferred recipient is tried again: the n-th deferral waits the n-th entry of the retry schedule
/// (the last entry repeats), scaled by a random factor in [1 - jitter, 1 + jitter] so that mail deferred
/// together does not return together; never later than the message's expiry, so the last attempt happens
/// right at the end of the queue lifetime.
/// </summary>
internal sealed class RetryPolicy
{
    private readonly IReadOnlyList<TimeSpan> _schedule;
    private readonly TimeSpan _lifetime;
    private readonly double _jitter;
    private readonly Random _random;

    public RetryPolicy(IReadOnlyList<TimeSpan> schedule, TimeSpan lifetime, double jitter, Random random)
    {
        if (schedule.Count == 0)
        {
            throw new ArgumentException("The retry schedule needs at least one delay.", nameof(schedule));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(jitter, 1.0);
        _schedule = schedule;
        _lifetime = lifetime;
        _jitter = jitter;
        _random = random;
    }

    /// <summary>When the message must have been delivered or bounced.</summary>
    public DateTimeOffset ExpiryOf(DateTimeOffset arrival) => arrival + _lifetime;

    /// <summary>Whether deferred recipients of a message that arrived at <paramref name="arrival"/> now fail.</summary>
    public bool IsExpired(DateTimeOffset arrival, DateTimeOffset now) => now >= ExpiryOf(arrival);

    /// <summary>The next attempt after the <paramref name="deferrals"/>-th deferral (1-based), ending at <paramref name="now"/>.</summary>
    public DateTimeOffset NextAttempt(int deferrals, DateTimeOffset now, DateTimeOffset arrival)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(deferrals, 1);
        var delay = _schedule[Math.Min(deferrals, _schedule.Count) - 1];
        double factor;
        lock (_random)
        {
            factor = 1.0 + (_jitter * ((_random.NextDouble() * 2.0) - 1.0));
        }

        var next = now + TimeSpan.FromTicks((long)(delay.Ticks * factor));
        var expiry = ExpiryOf(arrival);
        return next < expiry ? next : expiry;
    }
}
