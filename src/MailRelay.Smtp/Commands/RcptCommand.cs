using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>RCPT TO (RFC 5321 §4.1.1.3) with NOTIFY and ORCPT (RFC 3461); bounded by MaxRecipients.</summary>
public sealed class RcptCommand : ISmtpCommand
{
    public string Verb => "RCPT";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        var transaction = session.Transaction ?? throw new InvalidOperationException("RCPT outside a transaction.");
        if (!arguments.StartsWith("TO:", StringComparison.OrdinalIgnoreCase))
        {
            return SmtpReplies.SyntaxError("Syntax: RCPT TO:<address>");
        }

        var status = MailboxParser.TryParsePath(arguments[3..], transaction.Mail.SmtpUtf8, allowNull: false, allowPostmaster: true, out var recipient, out var rest);
        if (status == PathParseStatus.NonAsciiWithoutSmtpUtf8)
        {
            return SmtpReplies.NonAsciiAddressNotPermitted();
        }

        if (status != PathParseStatus.Ok)
        {
            return SmtpReplies.BadRecipientAddress();
        }

        var parameters = EsmtpParameters.Parse(rest);
        if (parameters is null)
        {
            return SmtpReplies.SyntaxError("Error: bad RCPT parameter syntax");
        }

        if (parameters.Count > 0 && !session.Context.IsExtended)
        {
            return SmtpReplies.ParameterNotRecognized("Error: parameters need EHLO");
        }

        var unknown = parameters.Keywords.FirstOrDefault(k => k is not ("NOTIFY" or "ORCPT"));
        if (unknown is not null)
        {
            return SmtpReplies.ParameterNotRecognized($"Unsupported option: {unknown}");
        }

        if (parameters.Contains("NOTIFY") && !IsValidNotify(parameters.Value("NOTIFY")))
        {
            return SmtpReplies.SyntaxError("Error: bad NOTIFY value");
        }

        if (parameters.Contains("ORCPT") && !IsValidOriginalRecipient(parameters.Value("ORCPT")))
        {
            return SmtpReplies.SyntaxError("Error: bad ORCPT value");
        }

        transaction.RecipientAttempts++;
        if (transaction.Mail.Recipients.Count >= session.Options.MaxRecipients)
        {
            session.Counters.RecipientsRefused++;
            return SmtpReplies.TooManyRecipients();
        }

        var reply = await session.Handler.OnRecipientAsync(session.Context, transaction.Mail, recipient, cancellationToken);
        if (reply is { IsPositive: false })
        {
            session.Counters.RecipientsRefused++;
            return reply;
        }

        transaction.Mail.Recipients.Add(recipient);
        if (parameters.Contains("NOTIFY") || parameters.Contains("ORCPT"))
        {
            transaction.Mail.DsnRequests.TryAdd(
                recipient, new RecipientDsnRequest(parameters.Value("NOTIFY")?.ToUpperInvariant(), parameters.Value("ORCPT")));
        }

        session.Counters.RecipientsAccepted++;
        return reply ?? new SmtpReply(250, "2.1.5", "Ok");
    }

    private static bool IsValidNotify(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var items = value.Split(',');
        if (items.Length == 1 && items[0].Equals("NEVER", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return items.Distinct(StringComparer.OrdinalIgnoreCase).Count() == items.Length
            && items.All(i => i.ToUpperInvariant() is "SUCCESS" or "FAILURE" or "DELAY");
    }

    private static bool IsValidOriginalRecipient(string? value)
    {
        var semicolon = value?.IndexOf(';', StringComparison.Ordinal) ?? -1;
        return value is not null && semicolon > 0 && semicolon < value.Length - 1
            && value[..semicolon].All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && Xtext.IsValid(value[(semicolon + 1)..]);
    }
}
