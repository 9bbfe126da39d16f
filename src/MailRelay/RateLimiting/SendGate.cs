namespace MailRelay.RateLimiting;

/// <summary>
/// The send-time ceilings of one scope: a sliding window of the last N reserved send slots and a minimum gap.
/// Slots are reserved, not observed, so the ceiling holds for however many callers claim at once.
/// </summary>
internal sealed class SendGate
{
    private readonly Queue<DateTimeOffset> _window = new();
    private readonly StaticLimits _limits;
    private DateTimeOffset? _lastSlot;

    public SendGate(StaticLimits limits)
    {
        _limits = limits;
    }

    /// <summary>Held by <see cref="StaticLimiter"/> across a multi-gate claim.</summary>
    public Lock Sync { get; } = new();

    /// <summary>The earliest slot at or after <paramref name="from"/> this gate allows. Caller holds <see cref="Sync"/>.</summary>
    public DateTimeOffset Earliest(DateTimeOffset from)
    {
        var slot = from;
        if (_lastSlot is { } last && _limits.MinimumDelay > TimeSpan.Zero && last + _limits.MinimumDelay > slot)
        {
            slot = last + _limits.MinimumDelay;
        }

        if (_limits.RateCount is { } count && _window.Count >= count && _window.Peek() + _limits.RateInterval > slot)
        {
            slot = _window.Peek() + _limits.RateInterval;
        }

        return slot;
    }

    /// <summary>Reserves <paramref name="slot"/>, which must come from <see cref="Earliest"/>. Caller holds <see cref="Sync"/>.</summary>
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
