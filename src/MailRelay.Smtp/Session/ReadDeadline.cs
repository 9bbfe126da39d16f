namespace MailRelay.Smtp.Session;

/// <summary>
/// A point in time by which something the client sends must be complete (a command line, an AUTH exchange,
/// the whole session), and how the session ends when it passes. Unlike an idle timer, bytes trickling in do
/// not move it.
/// </summary>
public readonly record struct ReadDeadline(DateTimeOffset At, SessionOutcome Outcome)
{
    /// <summary>A deadline <paramref name="span"/> from now; an infinite or unrepresentable span never passes.</summary>
    public static ReadDeadline After(TimeProvider timeProvider, TimeSpan span, SessionOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var now = timeProvider.GetUtcNow();
        var at = span == Timeout.InfiniteTimeSpan || span >= DateTimeOffset.MaxValue - now
            ? DateTimeOffset.MaxValue
            : now + (span < TimeSpan.Zero ? TimeSpan.Zero : span);
        return new ReadDeadline(at, outcome);
    }

    /// <summary>The earlier of two deadlines; on a tie the first one's outcome is reported.</summary>
    public ReadDeadline Min(ReadDeadline other) => other.At < At ? other : this;
}
