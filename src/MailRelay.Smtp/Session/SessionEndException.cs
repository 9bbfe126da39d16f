using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Session;

/// <summary>Ends a session from deep inside reading or a command: the outcome and the last reply, if any.</summary>
public sealed class SessionEndException : Exception
{
    public SessionEndException()
        : this(SessionOutcome.Error, null)
    {
    }

    public SessionEndException(string message)
        : base(message)
    {
        Outcome = SessionOutcome.Error;
    }

    public SessionEndException(string message, Exception innerException)
        : base(message, innerException)
    {
        Outcome = SessionOutcome.Error;
    }

    public SessionEndException(SessionOutcome outcome, SmtpReply? finalReply)
        : base($"SMTP session ended: {outcome}")
    {
        Outcome = outcome;
        FinalReply = finalReply;
    }

    public SessionOutcome Outcome { get; }

    /// <summary>The reply sent before closing (421, 554), or null when the client is gone.</summary>
    public SmtpReply? FinalReply { get; }
}
