using MailRelay.Smtp.Data;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>
/// DATA (RFC 5321 §4.1.1.4): 354, then the content streamed through the dot-stuffing decoder into
/// the handler's writer; the final reply comes after CRLF.CRLF.
/// </summary>
public sealed class DataCommand : ISmtpCommand
{
    public string Verb => "DATA";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        var transaction = session.Transaction ?? throw new InvalidOperationException("DATA outside a transaction.");
        if (arguments.Trim(' ').Length > 0)
        {
            return SmtpReplies.SyntaxError();
        }

        if (transaction.Mail.Recipients.Count == 0)
        {
            return SmtpReplies.NoValidRecipients();
        }

        var writer = await session.Handler.OpenMessageAsync(session.Context, transaction.Mail, cancellationToken);
        var decoder = new DotStuffedDataDecoder(session.Options.BareNewline);
        var sink = new ContentSink(writer, session.Options.MaxMessageSize);
        try
        {
            session.Channel.Write(SmtpReplies.StartData());
            await session.Receiver.ReceiveDataAsync(decoder, sink, cancellationToken);
        }
        catch
        {
            await writer.AbortAsync();
            await writer.DisposeAsync();
            throw;
        }

        return await session.CompleteMessageAsync(writer, sink, decoder.RefusedForBareNewline);
    }
}
