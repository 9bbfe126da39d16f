namespace MailRelay.RateLimiting;

/// <summary>Waits for a reserved slot on one precise timer of the injected clock, never by polling.</summary>
internal static class SlotTimer
{
    /// <summary>
    /// Waits until <paramref name="slot"/>. Timers count from their creation, so a timer made while the clock moved
    /// is replaced: a step of the clock in that instant must not make the wait late.
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
            if (time.GetUtcNow() != before)
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
