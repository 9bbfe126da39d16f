using System.Globalization;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>EHLO (RFC 5321 §4.1.1.1): resets the transaction and lists the extensions offered.</summary>
public sealed class EhloCommand : ISmtpCommand
{
    public string Verb => "EHLO";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        var name = arguments.Trim(' ');
        if (!HelloName.IsAcceptable(name))
        {
            return SmtpReplies.SyntaxError("Error: EHLO needs a domain or address literal");
        }

        session.Context.HeloName = name;
        session.Context.IsExtended = true;
        await session.ResetTransactionAsync();

        var options = session.Options;
        var lines = new List<string>
        {
            $"{options.HostName} Hello {name}",
            "PIPELINING",
            "SIZE " + options.MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
            "CHUNKING",
            "DSN",
        };
        if (options.Certificate is not null && !session.Context.IsSecure)
        {
            lines.Add("STARTTLS");
        }

        if (MailCommand.ArrivalTimeOffered(session))
        {
            lines.Add(MailCommand.ArrivalTimeKeyword);
        }

        if (SessionStateTable.AuthOffered(session))
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        return new SmtpReply(250, null, [.. lines]);
    }
}
