namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// One provider's warm-up allowance while Redis is unreachable: what was left of the day's cap when this replica last
/// heard the shared count, divided by the replicas, so that together they never pass the cap.
/// </summary>
internal sealed class WarmupShare
{
    private readonly Lock _sync = new();
    private DateOnly _day;
    private int _heard;
    private int _alone;

    /// <summary>The shared count of <paramref name="day"/> as Redis last answered it.</summary>
    public void Heard(DateOnly day, int sent)
    {
        lock (_sync)
        {
            Roll(day);
            _heard = Math.Max(_heard, sent);
        }
    }

    /// <summary>Counts one send made alone, if this replica's share of the rest of the day's cap allows it.</summary>
    public bool TryConsumeAlone(DateOnly day, int cap, int replicas)
    {
        lock (_sync)
        {
            Roll(day);
            var share = Math.Max(0, cap - _heard) / Math.Max(1, replicas);
            if (_alone >= share)
            {
                return false;
            }

            _alone++;
            return true;
        }
    }

    private void Roll(DateOnly day)
    {
        if (day != _day)
        {
            _day = day;
            _heard = 0;
            _alone = 0;
        }
    }
}
