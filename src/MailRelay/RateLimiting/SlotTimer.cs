namespace MailRelay.RateLimiting;

/// <summary>Waits for a reserved slot on one precise timer of the injected clock, never by polling.</summary>
internal static class SlotTimer
{
    /// <summary>
    /// A clock that moved less than this while the timer was made does not replace it: a real clock moves by some
    /// nanoseconds between two reads, and replacing the timer for that would spin until the slot.
    /// </summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Waits until <paramref name="slot"/>. Timers count from their creation, so a timer made while the clock stepped
    /// (by more than <see cref="Tolerance"/>) is replaced: a step of the clock in that instant must not make the wait late.
    /// </summary>
    public static async Task WaitUntilAsync(DateTimeOffset slot, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            var before = time.GetUtcNow();
            if (slot <= before)
            {
                return;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(slot - before, time, timer.Token);
            if (time.GetUtcNow() - before > Tolerance)
            {
                await timer.CancelAsync().ConfigureAwait(false);
                await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                continue;
            }

            await delay.ConfigureAwait(false);
        }
    }
}
