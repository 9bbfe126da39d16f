namespace MailRelay.Smtp.Session;

/// <summary>Counters the engine reports as it works; the daemon turns them into metrics.</summary>
public interface ISmtpServerEvents
{
    void SessionStarted();

    void SessionEnded(SessionOutcome outcome);

    /// <summary>A command line was read; <paramref name="verb"/> is upper case, or "UNKNOWN".</summary>
    void CommandReceived(string verb);

    void ReplySent(int code);

    /// <summary>
    /// A message was made durable and is answered 250. <paramref name="commitTime"/> runs from the end of its
    /// content (the final dot, the last BDAT chunk) until the store had it durable and the reply was ready.
    /// </summary>
    void MessageAccepted(long bytes, TimeSpan commitTime);

    void MessageRefused(int code);
}

/// <summary>Events that go nowhere, for tests and tools.</summary>
public sealed class NullSmtpServerEvents : ISmtpServerEvents
{
    public static readonly NullSmtpServerEvents Instance = new();

    public void SessionStarted()
    {
    }

    public void SessionEnded(SessionOutcome outcome)
    {
    }

    public void CommandReceived(string verb)
    {
    }

    public void ReplySent(int code)
    {
    }

    public void MessageAccepted(long bytes, TimeSpan commitTime)
    {
    }

    public void MessageRefused(int code)
    {
    }
}
