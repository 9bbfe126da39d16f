namespace MailRelay.RateLimiting;

/// <summary>
/// The send-time ceilings of one scope: a sliding window of the last N send slots and a minimum gap. One gate
/// holds reserved slots (the pacer's plan, reserved so the ceiling holds for however many callers claim at once);
/// another holds the instants transactions really began, checked and committed in one step under its lock.
/// </summary>
internal sealed class SendGate
{
    private readonly Queue<DateTimeOffset> _window = new();
    private readonly StaticLimits _limits;
    private DateTimeOffset? _lastSlot;
    private DateTimeOffset? _outage;

    public SendGate(StaticLimits limits)
    {
        _limits = limits;
    }

    /// <summary>Held by <see cref="StaticLimiter"/> across a multi-gate claim.</summary>
    public Lock Sync { get; } = new();

    /// <summary>The earliest slot at or after <paramref name="from"/> this gate allows. Caller holds <see cref="Sync"/>.</summary>
    public DateTimeOffset Earliest(DateTimeOffset from) => Earliest(from, TimeSpan.Zero);

    /// <summary>
    /// The earliest slot at or after <paramref name="from"/> this gate allows when the gap after the last slot must
    /// also be at least <paramref name="minimumGap"/> (the adaptive delay). Caller holds <see cref="Sync"/>.
    /// </summary>
    public DateTimeOffset Earliest(DateTimeOffset from, TimeSpan minimumGap)
    {
        var slot = from;
        var gap = _limits.MinimumDelay > minimumGap ? _limits.MinimumDelay : minimumGap;
        if (_lastSlot is { } last && gap > TimeSpan.Zero && last + gap > slot)
        {
            slot = last + gap;
        }

        if (_limits.RateCount is { } count && _window.Count >= count && _window.Peek() + _limits.RateInterval > slot)
        {
            slot = _window.Peek() + _limits.RateInterval;
        }

        return slot;
    }

    /// <summary>
    /// Moves a recorded slot later, from <paramref name="recorded"/> to <paramref name="actual"/>: what happened after
    /// the plan (a transaction that began, or whose MAIL FROM left, later than recorded) governs what follows it.
    /// Caller holds <see cref="Sync"/>.
    /// </summary>
    public void Restamp(DateTimeOffset recorded, DateTimeOffset actual)
    {
        if (actual <= recorded)
        {
            return;
        }

        if (_lastSlot is not { } last || last < actual)
        {
            _lastSlot = actual;
        }

        if (_window.Count == 0 || !_window.Contains(recorded))
        {
            return;
        }

        var slots = _window.ToList();
        slots[slots.IndexOf(recorded)] = actual;
        slots.Sort();
        _window.Clear();
        foreach (var slot in slots)
        {
            _window.Enqueue(slot);
        }
    }

    /// <summary>
    /// Makes this gate, a replica's share of a ceiling shared through Redis, count for one interval after the outage
    /// that began at <paramref name="outage"/> as many slots as the replica had from Redis in the interval before, when
    /// that is fewer than its share: the missing ones are held at the outage's instant. Redis may have given one replica
    /// the whole ceiling and another nothing just before; without this the other would add its whole share at once to
    /// a window already full. Done once per outage (the first time the share is used after it). Caller holds <see cref="Sync"/>.
    /// </summary>
    public void KeepSharedCount(DateTimeOffset outage)
    {
        if (_outage == outage)
        {
            return;
        }

        _outage = outage;
        if (_limits.RateCount is not { } count)
        {
            return;
        }

        var recent = _window.Count(slot => slot > outage - _limits.RateInterval);
        if (recent >= count)
        {
            return;
        }

        var slots = _window.ToList();
        slots.AddRange(Enumerable.Repeat(outage, count - recent));
        slots.Sort();
        _window.Clear();
        foreach (var slot in slots.Skip(slots.Count - count))
        {
            _window.Enqueue(slot);
        }
    }

    /// <summary>Records <paramref name="slot"/>, which must come from <see cref="Earliest(DateTimeOffset, TimeSpan)"/> (or be later). Caller holds <see cref="Sync"/>.</summary>
    public void Commit(DateTimeOffset slot)
    {
        _lastSlot = slot;
        if (_limits.RateCount is { } count)
        {
            _window.Enqueue(slot);
            while (_window.Count > count)
            {
                _window.Dequeue();
            }
        }
    }
}
