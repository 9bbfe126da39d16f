using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>HELO (RFC 5321 §4.1.1.1): plain SMTP, no extensions for the rest of the session.</summary>
public sealed class HeloCommand : ISmtpCommand
{
    public string Verb => "HELO";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        var name = arguments.Trim(' ');
        if (!HelloName.IsAcceptable(name))
        {
            return SmtpReplies.SyntaxError("Error: HELO needs a domain or address literal");
        }

        session.Context.HeloName = name;
        session.Context.IsExtended = false;
        await session.ResetTransactionAsync();

        // RFC 2034 exempts the HELO/EHLO reply from enhanced status codes.
        return new SmtpReply(250, null, session.Options.HostName);
    }
}
