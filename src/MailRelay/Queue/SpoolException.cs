namespace MailRelay.Queue;

/// <summary>
/// The one failure the spool reports: the message is not queued and nothing of it remains in the
/// committed area. The SMTP layer answers <c>451 4.3.0</c>, or <c>452 4.3.1</c> for a full disk or quota.
/// </summary>
public sealed class SpoolException : Exception
{
    public SpoolException()
        : this(SpoolFailureReason.WriteFailed, "The spool failed.")
    {
    }

    public SpoolException(string message)
        : this(SpoolFailureReason.WriteFailed, message)
    {
    }

    public SpoolException(string message, Exception innerException)
        : this(SpoolFailureReason.WriteFailed, message, innerException)
    {
    }

    public SpoolException(SpoolFailureReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public SpoolFailureReason Reason { get; }

    /// <summary>The queue id of the message that failed, when one had been assigned.</summary>
    public string? QueueId { get; init; }
}
