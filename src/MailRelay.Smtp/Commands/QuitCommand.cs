using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>QUIT (RFC 5321 §4.1.1.10): 221 and close.</summary>
public sealed class QuitCommand : ISmtpCommand
{
    public string Verb => "QUIT";

    public ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(arguments.Trim(' ').Length > 0 ? SmtpReplies.SyntaxError() : SmtpReplies.Closing(session.Options.HostName));
}
