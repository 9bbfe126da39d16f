using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>One SMTP command: parses its own arguments and produces its reply.</summary>
public interface ISmtpCommand
{
    string Verb { get; }

    /// <summary>Runs the command; the state table has already allowed it.</summary>
    ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken);

    /// <summary>
    /// The state table refused the command. Commands followed by a payload (BDAT) consume it first,
    /// so the payload is never read as commands.
    /// </summary>
    ValueTask<SmtpReply> RefuseAsync(SmtpSession session, string arguments, SmtpReply refusal, CancellationToken cancellationToken) =>
        ValueTask.FromResult(refusal);
}
