namespace MailRelay.Tests.Support;

/// <summary>
/// Lets a test wait, bounded, for a condition that a fake peer's changes can make true: the peer raises the
/// signal on every change, and the waiter re-checks the condition after each one instead of sleeping.
/// </summary>
internal sealed class ChangeSignal
{
    private event Action? Changed;

    /// <summary>Called by the peer after each change.</summary>
    public void Raise() => Changed?.Invoke();

    /// <summary>Completes once <paramref name="condition"/> holds; cancelled when <paramref name="limit"/> passes first.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        using var signal = new SemaphoreSlim(0);
        void OnChange() => signal.Release();
        Changed += OnChange;
        try
        {
            using var deadline = new CancellationTokenSource(limit);
            while (!condition())
            {
                await signal.WaitAsync(deadline.Token);
            }
        }
        finally
        {
            Changed -= OnChange;
        }
    }
}
