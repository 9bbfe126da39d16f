namespace MailRelay.RateLimiting;

/// <summary>
/// Counts one provider's sends in the current UTC day against its <see cref="WarmupSchedule"/>. A message over the
/// day's cap is deferred to the next day start; that deferral is our own pacing, never a remote failure.
/// </summary>
public sealed class WarmupCounter
{
    private readonly WarmupSchedule _schedule;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private DateOnly _day;
    private int _sent;

    public WarmupCounter(WarmupSchedule schedule, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(time);
        _schedule = schedule;
        _time = time;
    }

    /// <summary>Sends counted so far in the current UTC day.</summary>
    public int SentToday
    {
        get
        {
            lock (_sync)
            {
                Roll(_time.GetUtcNow());
                return _sent;
            }
        }
    }

    /// <summary>Counts one send if today's cap allows it; otherwise returns false and when the next day starts.</summary>
    public bool TryConsume(out DateTimeOffset retryAt)
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            Roll(now);
            if (_schedule.CapOn(now) is { } cap && _sent >= cap)
            {
                retryAt = WarmupSchedule.NextDayStart(now);
                return false;
            }

            _sent++;
            retryAt = now;
            return true;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (today != _day)
        {
            _day = today;
            _sent = 0;
        }
    }
}
