using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>HELP (RFC 5321 §4.1.1.8).</summary>
public sealed class HelpCommand : ISmtpCommand
{
    public string Verb => "HELP";

    public ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SmtpReplies.Help());
}
