namespace MailRelay.Delivery.Scheduling;

/// <summary>Sleeping until the next due time or a wake-up, without a polling tick.</summary>
public sealed partial class QueueScheduler
{
    private async Task SleepAsync(DateTimeOffset? next, CancellationToken stoppingToken)
    {
        if (next is null)
        {
            await _wake.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false);
        }
        else if (StartDueTimer(next.Value) is { } due)
        {
            using (due)
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, due.Token);
                try
                {
                    await _wake.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The due time came.
                }
            }
        }

        stoppingToken.ThrowIfCancellationRequested();
        _wake.Reader.TryRead(out _);
    }

    /// <summary>
    /// A token cancelled at <paramref name="due"/>, or null when that time has come. Timers count from
    /// their creation, so if the clock moved while one was being made it is made again; otherwise a
    /// step of the clock in that instant would push the wake-up late.
    /// </summary>
    private CancellationTokenSource? StartDueTimer(DateTimeOffset due)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = _time.GetUtcNow();
            if (due <= before)
            {
                return null;
            }

            var timer = new CancellationTokenSource(due - before, _time);
            if (_time.GetUtcNow() - before < TimerSlack || attempt >= MaxTimerAttempts)
            {
                return timer;
            }

            timer.Dispose();
        }
    }
}
