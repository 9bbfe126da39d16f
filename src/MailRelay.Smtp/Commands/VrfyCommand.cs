using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>VRFY (RFC 5321 §3.5.3): a relay cannot verify, so 252 as the RFC suggests.</summary>
public sealed class VrfyCommand : ISmtpCommand
{
    public string Verb => "VRFY";

    public ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(arguments.Trim(' ').Length == 0 ? SmtpReplies.SyntaxError() : SmtpReplies.CannotVerify());
}
