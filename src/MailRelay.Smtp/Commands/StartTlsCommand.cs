using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>
/// STARTTLS (RFC 3207). Anything the client sent after the STARTTLS line, before the handshake, would
/// be taken as if it came over TLS (CVE-2011-0411): such a session is refused and closed.
/// </summary>
public sealed class StartTlsCommand : ISmtpCommand
{
    public string Verb => "STARTTLS";

    public ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        if (arguments.Trim(' ').Length > 0)
        {
            return ValueTask.FromResult(SmtpReplies.SyntaxError());
        }

        if (session.Channel.HasBufferedInput())
        {
            return ValueTask.FromResult(SmtpReplies.PipelinedAfterStartTls());
        }

        session.StartTlsRequested = true;
        return ValueTask.FromResult(SmtpReplies.ReadyForTls());
    }
}
