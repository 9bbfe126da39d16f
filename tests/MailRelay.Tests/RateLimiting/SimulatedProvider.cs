using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

/// <summary>
/// A provider with a hidden limit, driven on a fake clock against a real <see cref="AdaptiveController"/>: it takes
/// at most a number of transactions in any sliding window (what <c>bench/fake_provider.py</c> does) and answers the
/// rest "421 4.7.28". The relay's side is one pump, as in delivery: it claims the next slot as soon as the previous
/// transaction has started, waits for it, and a transaction starts at its slot (the controller's delay is the gap
/// between transaction starts); the outcome reaches the controller <see cref="Latency"/> later, so the pump may
/// already hold a slot claimed at the old delay when a reply arrives.
/// </summary>
internal sealed class SimulatedProvider(FakeTimeProvider time, AdaptiveController controller, TimeSpan window)
{
    private readonly Queue<DateTimeOffset> _admitted = new();
    private readonly PriorityQueue<(DeliveryOutcome Outcome, bool WasProbe), DateTimeOffset> _pending = new();
    private readonly List<(DateTimeOffset At, bool Accepted)> _attempts = [];

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Transactions allowed per window; may be changed between runs to move the limit mid-run.</summary>
    public int Allowed { get; set; } = 1;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Sends as fast as the controller lets it until <paramref name="duration"/> has passed.</summary>
    public void Run(TimeSpan duration)
    {
        var end = time.GetUtcNow() + duration;
        while (time.GetUtcNow() < end)
        {
            var claim = controller.Claim();
            DeliverUntil(claim.At < end ? claim.At : end);
            if (claim.At >= end)
            {
                break;
            }

            if (!claim.Granted || controller.IsVoid(claim))
            {
                continue;
            }

            var accepted = Admit(claim.At);
            _attempts.Add((claim.At, accepted));
            _pending.Enqueue((accepted ? DeliveryOutcome.Accepted : DeliveryOutcome.RateLimited, claim.IsProbe), claim.At + Latency);
        }
    }

    /// <summary>Delivered transactions per second between two instants, as a fraction of the limit then in force.</summary>
    public double ShareOfLimit(DateTimeOffset from, DateTimeOffset to) =>
        _attempts.Count(a => a.Accepted && a.At >= from && a.At < to) / (to - from).TotalSeconds / (Allowed / window.TotalSeconds);

    /// <summary>The share of attempts between two instants that drew a 421.</summary>
    public double RefusedShare(DateTimeOffset from, DateTimeOffset to)
    {
        var attempts = _attempts.Where(a => a.At >= from && a.At < to).ToList();
        return attempts.Count == 0 ? 0 : attempts.Count(a => !a.Accepted) / (double)attempts.Count;
    }

    /// <summary>
    /// How long after a change of the limit at <paramref name="change"/> the relay followed it, as <c>bench/pacing.sh</c>
    /// reckons it: to the first whole second from which the next 30 s deliver at least 85% of the limit with at most 5%
    /// of attempts drawing a 421 (null if none before <paramref name="end"/>).
    /// </summary>
    public TimeSpan? FollowTime(DateTimeOffset change, DateTimeOffset end)
    {
        var span = TimeSpan.FromSeconds(30);
        for (var from = change; from + span <= end; from += TimeSpan.FromSeconds(1))
        {
            if (ShareOfLimit(from, from + span) >= 0.85 && RefusedShare(from, from + span) <= 0.05)
            {
                return from - change;
            }
        }

        return null;
    }

    private bool Admit(DateTimeOffset at)
    {
        while (_admitted.Count > 0 && _admitted.Peek() <= at - window)
        {
            _admitted.Dequeue();
        }

        if (_admitted.Count >= Allowed)
        {
            return false;
        }

        _admitted.Enqueue(at);
        return true;
    }

    private void DeliverUntil(DateTimeOffset until)
    {
        while (_pending.TryPeek(out _, out var at) && at <= until)
        {
            var (outcome, wasProbe) = _pending.Dequeue();
            if (at > time.GetUtcNow())
            {
                time.SetUtcNow(at);
            }

            controller.Report(outcome, wasProbe);
        }

        if (until > time.GetUtcNow())
        {
            time.SetUtcNow(until);
        }
    }
}
