namespace MailRelay.RateLimiting;

/// <summary>Waits for a reserved slot on one precise timer of the injected clock, never by polling.</summary>
internal static class SlotTimer
{
    public static Task WaitUntilAsync(DateTimeOffset slot, TimeProvider time, CancellationToken cancellationToken)
    {
        var wait = slot - time.GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }
}
