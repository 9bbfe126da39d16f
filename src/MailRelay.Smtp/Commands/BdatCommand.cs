using System.Globalization;
using MailRelay.Smtp.Data;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>
/// BDAT (RFC 3030 CHUNKING): exactly the announced octets follow the command line, so they are
/// always consumed, even when the command is refused, and never taken as commands.
/// </summary>
public sealed class BdatCommand : ISmtpCommand
{
    public string Verb => "BDAT";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        if (!TryParse(arguments, out var size, out var last))
        {
            return SmtpReplies.SyntaxError("Syntax: BDAT <size> [LAST]");
        }

        var transaction = session.Transaction ?? throw new InvalidOperationException("BDAT outside a transaction.");
        if (transaction.Mail.Recipients.Count == 0)
        {
            await DiscardAsync(session, size, cancellationToken);
            return SmtpReplies.NoValidRecipients();
        }

        if (transaction.Chunks is null)
        {
            var writer = await session.Handler.OpenMessageAsync(session.Context, transaction.Mail, cancellationToken);
            transaction.Chunks = new ChunkedMessage(writer, session.Options);
            session.State = SessionState.ReceivingChunks;
        }

        var chunks = transaction.Chunks;
        await session.Receiver.ReceiveChunkAsync(size, chunks.Filter, chunks.Sink, cancellationToken);
        if (!last)
        {
            return SmtpReplies.ChunkReceived(size);
        }

        chunks.Filter.Finish();
        return await session.CompleteMessageAsync(chunks.Writer, chunks.Sink, chunks.Filter.RefusedForBareNewline);
    }

    public async ValueTask<SmtpReply> RefuseAsync(SmtpSession session, string arguments, SmtpReply refusal, CancellationToken cancellationToken)
    {
        if (TryParse(arguments, out var size, out _))
        {
            await DiscardAsync(session, size, cancellationToken);
        }

        return refusal;
    }

    private static async ValueTask DiscardAsync(SmtpSession session, long size, CancellationToken cancellationToken)
    {
        var filter = new ChunkContentFilter(session.Options.BareNewline);
        var sink = new ContentSink(writer: null, session.Options.MaxMessageSize);
        await session.Receiver.ReceiveChunkAsync(size, filter, sink, cancellationToken);
    }

    private static bool TryParse(string arguments, out long size, out bool last)
    {
        size = 0;
        last = false;
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || parts[0].Length > 18 || !parts[0].All(char.IsAsciiDigit))
        {
            return false;
        }

        if (parts.Length == 2)
        {
            if (!parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            last = true;
        }

        size = long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }
}
