using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Session;

/// <summary>
/// The one boundary between the SMTP engine and whatever stores mail. The engine handles syntax,
/// sequence and limits; the handler decides policy and durability. A null reply means "the engine's
/// default positive reply".
/// </summary>
public interface ISmtpSessionHandler
{
    /// <summary>A new session; a non-null reply (554, 421) refuses it instead of the greeting.</summary>
    ValueTask<SmtpReply?> OnConnectAsync(SessionContext session, CancellationToken cancellationToken);

    /// <summary>MAIL FROM, after syntax and SIZE checks passed.</summary>
    ValueTask<SmtpReply?> OnMailFromAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken);

    /// <summary>RCPT TO, after syntax and MAX_RECIPIENTS checks passed; a null reply accepts the recipient.</summary>
    ValueTask<SmtpReply?> OnRecipientAsync(SessionContext session, MailTransaction transaction, string recipient, CancellationToken cancellationToken);

    /// <summary>DATA or the first BDAT: where the content goes.</summary>
    ValueTask<IMessageWriter> OpenMessageAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken);

    /// <summary>The session ended (QUIT, timeout, disconnect, error limit, shutdown).</summary>
    ValueTask OnSessionEndAsync(SessionContext session, SessionSummary summary);
}
