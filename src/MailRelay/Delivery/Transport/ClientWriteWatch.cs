using MailKit;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// MailKit's protocol logger used as a clock: MailKit reports each of its writes after the bytes went to the
/// connection, so the first write after <see cref="Arm"/> tells when the command written next (MAIL FROM, for
/// pacing) left. Logs nothing.
/// </summary>
internal sealed class ClientWriteWatch : IProtocolLogger
{
    private Action? _onNextWrite;

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>Calls <paramref name="onNextWrite"/> once, after the next write; null disarms.</summary>
    public void Arm(Action? onNextWrite) => Volatile.Write(ref _onNextWrite, onNextWrite);

    public void LogClient(byte[] buffer, int offset, int count) => Interlocked.Exchange(ref _onNextWrite, null)?.Invoke();

    public void LogConnect(Uri uri)
    {
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
    }

    public void Dispose()
    {
    }
}
