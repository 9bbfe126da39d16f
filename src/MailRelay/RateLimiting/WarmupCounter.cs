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
    private long _version;

    public WarmupCounter(WarmupSchedule schedule, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(time);
        _schedule = schedule;
        _time = time;
    }

    public WarmupSchedule Schedule => _schedule;

    /// <summary>Grows with every change of state, so a saver can tell whether there is anything new to write.</summary>
    public long Version
    {
        get
        {
            lock (_sync)
            {
                return _version;
            }
        }
    }

    /// <summary>Today's cap (UTC); null once warm-up is over.</summary>
    public int? CapToday => _schedule.CapOn(_time.GetUtcNow());

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
            _version++;
            retryAt = now;
            return true;
        }
    }

    /// <summary>The state to persist: the current UTC day and its count.</summary>
    public WarmupCounterState ExportState()
    {
        lock (_sync)
        {
            Roll(_time.GetUtcNow());
            return new WarmupCounterState(_day, _sent);
        }
    }

    /// <summary>Takes over a persisted count; a count of another day than today is worthless and ignored.</summary>
    public void Restore(WarmupCounterState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_sync)
        {
            Roll(_time.GetUtcNow());
            if (state.Day == _day)
            {
                _sent = Math.Max(0, state.Sent);
                _version++;
            }
        }
    }

    /// <summary>Forgets today's count (an operator's reset).</summary>
    public void Reset()
    {
        lock (_sync)
        {
            Roll(_time.GetUtcNow());
            _sent = 0;
            _version++;
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
