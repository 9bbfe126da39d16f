namespace MailRelay.RateLimiting;

/// <summary>
/// The delay of an <see cref="AdaptiveController"/> and its memory of where the provider's limit was met.
/// <para>
/// A rate-limit reply remembers the delay it came at (the <em>limit delay</em>) and a <em>hold delay</em> just
/// slower than it: the delay of the last run of accepted messages before the reply (the last known good pace),
/// never more than one recovery step above the limit delay nor less than a sixteenth of one above it, and half a step
/// above it when that run went no slower than the refused pace (it got a few messages through, which proves nothing
/// against a provider that counts over a longer window). Then the delay is multiplied by <c>backoffMultiplier</c>, as
/// always. Runs of <c>successThreshold</c> acceptances then multiply it by <c>recoveryRate</c>, as always, but not
/// below the hold delay (<em>recovering</em>); at the hold delay it stays for <see cref="HoldRuns"/> runs
/// (<em>holding</em>), three times as many as recovering from one backoff takes, which is what makes the time spent
/// near the limit outweigh the time spent recovering, and for at least 30 seconds (<see cref="HoldRunsAt"/>), so a
/// fast provider is not probed every few seconds. Then it <em>probes</em> past the limit: each run shortens the delay
/// by a sixteenth of a recovery step, then an eighth, a quarter, a half, then whole steps. A probe that draws a reply sets a new limit delay and a hold delay halfway
/// (geometrically) between the last probe step that carried a run and the hold it started from, so the hold closes
/// in on the provider's real rate from above. A probe run that goes faster than the limit delay without a reply is
/// followed by a whole step; a probe that gets a whole recovery step past the limit delay without a reply means the
/// provider now takes more: the memory is dropped and recovery goes on at full steps.
/// </para>
/// <para>
/// Replies to slots handed out before a backoff (reported before the first slot at the new delay could have been
/// used) are echoes of the same excess and do not back off again, as TCP reduces its window once per round trip.
/// </para>
/// Not thread-safe: the controller calls it under its lock.
/// </summary>
internal sealed class AdaptiveControllerPace
{
    /// <summary>
    /// Backing off from a zero delay (minDelay 0) starts here, or multiplying would never slow anything down. Any
    /// other delay backs off from itself: a larger floor would throw a fast provider far below its real rate.
    /// </summary>
    private static readonly TimeSpan BackoffFloor = TimeSpan.FromMilliseconds(10);

    /// <summary>Recovering from one backoff takes ln m / ln(1/r) runs; holding takes this many times as many.</summary>
    private const double HoldFactor = 3;

    /// <summary>
    /// The least time a hold lasts at the hold delay. A probe that draws a rate limit costs a whole recovery, the same
    /// number of runs at any rate, so against a fast provider a hold counted in runs alone ends in seconds and the
    /// recoveries eat a large share of the time; holding this long keeps them a small share, while a provider that
    /// raises its limit is still noticed within about this long.
    /// </summary>
    private static readonly TimeSpan MinHoldTime = TimeSpan.FromSeconds(30);

    /// <summary>The first probe step, and the least margin of the hold above the limit, in recovery steps.</summary>
    private const double FirstProbeStep = 1.0 / 16;

    /// <summary>Probe steps double from <see cref="FirstProbeStep"/>; after this many they are whole steps.</summary>
    private const int ProbeDoublings = 4;

    private const int MaxHoldRuns = 1_000_000;

    private readonly AdaptiveSettings _settings;
    private readonly double _step;

    public AdaptiveControllerPace(AdaptiveSettings settings)
    {
        _settings = settings;
        _step = settings.RecoveryRate is > 0 and < 1 ? Math.Log(1 / settings.RecoveryRate) : 0;
        HoldRuns = _step > 0 && settings.BackoffMultiplier > 1
            ? (int)Math.Clamp(Math.Ceiling(HoldFactor * Math.Log(settings.BackoffMultiplier) / _step), 1, MaxHoldRuns)
            : 1;
        Delay = settings.BoundedInitialDelay;
    }

    /// <summary>
    /// Runs of <c>successThreshold</c> acceptances spent at the hold delay before probing past the limit, at least (see
    /// <see cref="HoldRunsAt"/>).
    /// </summary>
    public int HoldRuns { get; }

    /// <summary>
    /// Runs spent at <paramref name="hold"/> before probing: <see cref="HoldRuns"/>, or as many as fill
    /// <see cref="MinHoldTime"/> at that delay when that is more.
    /// </summary>
    public int HoldRunsAt(TimeSpan hold)
    {
        var run = hold.Ticks * (double)Math.Max(1, _settings.SuccessThreshold);
        var timed = run > 0 ? Math.Ceiling(MinHoldTime.Ticks / run) : HoldRuns;
        return (int)Math.Clamp(Math.Max(HoldRuns, timed), 1, MaxHoldRuns);
    }

    public TimeSpan Delay { get; private set; }

    /// <summary>The delay at the last rate-limit reply, or null when there is no (current) memory of one.</summary>
    public TimeSpan? LimitDelay { get; private set; }

    /// <summary>The delay recovery stops at and holds before probing; set whenever <see cref="LimitDelay"/> is.</summary>
    public TimeSpan? HoldDelay { get; private set; }

    /// <summary>The delay of the last completed run of acceptances.</summary>
    public TimeSpan? GoodDelay { get; private set; }

    /// <summary>Runs completed at or below the hold delay since recovery reached it.</summary>
    public int HeldRuns { get; private set; }

    /// <summary>Until when rate-limit replies are echoes of the last backoff (slots granted before it).</summary>
    private DateTimeOffset? _echoUntil;

    /// <summary>A run of <c>successThreshold</c> acceptances ended.</summary>
    public void OnRun()
    {
        GoodDelay = Delay;
        if (LimitDelay is not { } limit || HoldDelay is not { } hold)
        {
            Delay = _settings.Clamp(Delay * _settings.RecoveryRate);
            return;
        }

        if (Delay > hold)
        {
            // Recovering: the seed's step, down to the hold and no further.
            var next = _settings.Clamp(Delay * _settings.RecoveryRate);
            Delay = next < hold ? hold : next;
            HeldRuns = 0;
            return;
        }

        HeldRuns = HeldRuns < int.MaxValue ? HeldRuns + 1 : HeldRuns;
        var holdRuns = HoldRunsAt(hold);
        if (HeldRuns <= holdRuns)
        {
            return;
        }

        // A run that went faster than where the provider last refused shows it takes more than then: the next step is a
        // whole one, which forgets the limit, rather than more gentle steps (a doubled limit is followed a few runs sooner).
        var probe = Delay < limit ? ProbeDoublings : Math.Min(HeldRuns - holdRuns - 1, ProbeDoublings);
        Delay = _settings.Clamp(Scale(Delay, Math.Exp(-_step * FirstProbeStep * (1 << probe))));
        if (Delay <= limit * _settings.RecoveryRate)
        {
            // A whole recovery step past the limit without a reply: the provider takes more now.
            Forget();
        }
    }

    /// <summary>
    /// A rate-limit reply arrived at <paramref name="now"/>; <paramref name="lastSlot"/> is the latest slot handed
    /// out. Returns whether it backed off (false for an echo of the last backoff).
    /// </summary>
    public bool OnRateLimited(DateTimeOffset now, DateTimeOffset? lastSlot)
    {
        if (_echoUntil is { } echo && now < echo)
        {
            return false;
        }

        var limit = Delay;
        var least = Scale(limit, Math.Exp(_step * FirstProbeStep));
        var hold = least;
        if (GoodDelay is { } good)
        {
            var probing = HoldDelay is { } previous && limit < previous && HeldRuns > HoldRunsAt(previous) && good <= previous;
            var oneStepAbove = Scale(limit, 1 / _settings.RecoveryRate);
            // A last good run no slower than the refused pace (a refusal at the hold itself, or a second one before a run
            // at the backed-off delay) shows only that a few messages got through there, not that the pace is safe: a
            // hold a sixteenth of a step slower drew a reply at hold after hold; half a step gives room.
            var known = probing ? Scale(good, Math.Sqrt(HoldDelay!.Value / good))
                : good <= limit ? Scale(limit, Math.Exp(_step / 2))
                : (good < oneStepAbove ? good : oneStepAbove);
            hold = known > hold ? known : hold;
        }

        LimitDelay = limit;
        HoldDelay = _settings.Clamp(hold);
        HeldRuns = 0;
        Delay = _settings.Clamp((Delay > BackoffFloor ? Delay : BackoffFloor) * _settings.BackoffMultiplier);
        var firstNew = lastSlot is { } last ? last + Delay : now;
        _echoUntil = firstNew > now ? firstNew : null;
        return true;
    }

    /// <summary>The circuit opened: slots granted before are void, so later replies are no echoes of them.</summary>
    public void OnOpen() => _echoUntil = null;

    public void Restore(TimeSpan delay, TimeSpan? limit, TimeSpan? hold, TimeSpan? good, int heldRuns)
    {
        Delay = _settings.Clamp(delay);
        LimitDelay = limit is { } l && hold is { } h && l > TimeSpan.Zero ? l : null;
        HoldDelay = LimitDelay is null ? null : _settings.Clamp(hold!.Value);
        GoodDelay = good is { } g && g > TimeSpan.Zero ? g : null;
        HeldRuns = Math.Max(0, heldRuns);
        _echoUntil = null;
    }

    private void Forget()
    {
        LimitDelay = null;
        HoldDelay = null;
        HeldRuns = 0;
    }

    private static TimeSpan Scale(TimeSpan delay, double factor)
    {
        var ticks = Math.Round(delay.Ticks * factor);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }
}
