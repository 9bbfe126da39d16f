using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>RSET (RFC 5321 §4.1.1.5): drops the transaction, keeps the EHLO/HELO.</summary>
public sealed class RsetCommand : ISmtpCommand
{
    public string Verb => "RSET";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        if (arguments.Trim(' ').Length > 0)
        {
            return SmtpReplies.SyntaxError();
        }

        await session.ResetTransactionAsync();
        return SmtpReply.Ok();
    }
}
