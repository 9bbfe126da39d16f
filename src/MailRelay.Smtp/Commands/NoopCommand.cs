using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>NOOP (RFC 5321 §4.1.1.9): any argument is ignored.</summary>
public sealed class NoopCommand : ISmtpCommand
{
    public string Verb => "NOOP";

    public ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SmtpReply.Ok());
}
