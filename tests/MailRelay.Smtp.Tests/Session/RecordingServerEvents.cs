using System.Collections.Concurrent;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public sealed class RecordingServerEvents : ISmtpServerEvents
{
    public ConcurrentQueue<string> Commands { get; } = new();

    public ConcurrentQueue<int> Replies { get; } = new();

    public ConcurrentQueue<long> Accepted { get; } = new();

    public ConcurrentQueue<TimeSpan> CommitTimes { get; } = new();

    public ConcurrentQueue<int> Refused { get; } = new();

    public ConcurrentQueue<SessionOutcome> Ended { get; } = new();

    private int started;

    public int Started => Volatile.Read(ref started);

    public void SessionStarted() => Interlocked.Increment(ref started);

    public void SessionEnded(SessionOutcome outcome) => Ended.Enqueue(outcome);

    public void CommandReceived(string verb) => Commands.Enqueue(verb);

    public void ReplySent(int code) => Replies.Enqueue(code);

    public void MessageAccepted(long bytes, TimeSpan commitTime)
    {
        CommitTimes.Enqueue(commitTime);
        Accepted.Enqueue(bytes);
    }

    public void MessageRefused(int code) => Refused.Enqueue(code);
}
