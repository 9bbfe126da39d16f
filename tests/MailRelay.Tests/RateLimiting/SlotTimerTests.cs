using MailRelay.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting;

/// <summary>The slot timer waits on one timer of the injected clock, and a clock that steps while it is made does not make it late.</summary>
public sealed class SlotTimerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_clock_that_moves_a_little_at_every_read_gets_one_timer_not_a_spin()
    {
        // A real clock: every read is a little later than the one before.
        var time = new CountingTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromTicks(3) };
        var slot = Start + TimeSpan.FromSeconds(2);

        var wait = SlotTimer.WaitUntilAsync(slot, time, CancellationToken.None);

        Assert.Equal(1, time.TimersCreated);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        await wait;
        Assert.Equal(1, time.TimersCreated);
    }

    [Fact]
    public async Task A_clock_that_steps_while_the_timer_is_made_gets_a_new_timer_so_the_wait_is_not_late()
    {
        var time = new CountingTimeProvider(Start) { StepOnFirstTimer = TimeSpan.FromMilliseconds(500) };
        var slot = Start + TimeSpan.FromSeconds(2);

        var wait = SlotTimer.WaitUntilAsync(slot, time, CancellationToken.None);

        // The first timer (for 2 s, made half a second late) is replaced by one for the 1.5 s that are left.
        await time.SecondTimer.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(1.5) - TimeSpan.FromTicks(1));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1));
        await wait;
    }

    private sealed class CountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public int TimersCreated { get; private set; }

        public TimeSpan StepOnFirstTimer { get; init; }

        public TaskCompletionSource SecondTimer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            if (TimersCreated > 10)
            {
                throw new InvalidOperationException("the slot timer keeps replacing its timer: it spins");
            }

            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (TimersCreated == 1 && StepOnFirstTimer > TimeSpan.Zero)
            {
                Advance(StepOnFirstTimer);
            }
            else if (TimersCreated == 2)
            {
                SecondTimer.TrySetResult();
            }

            return timer;
        }
    }
}
