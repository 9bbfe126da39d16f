namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>
/// Counts connections whose whole middleware chain has returned, so a test can wait for the server to
/// finish with its connections instead of sleeping.
/// </summary>
internal sealed class ConnectionCompletions : IDisposable
{
    private readonly SemaphoreSlim _completed = new(0);

    public void Signal() => _completed.Release();

    public async Task WaitForAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!await _completed.WaitAsync(TestTimeouts.Guard))
            {
                throw new TimeoutException($"only {i} of {count} connections completed");
            }
        }
    }

    public void Dispose() => _completed.Dispose();
}
