using System.Globalization;
using System.Text;
using MailRelay.Queue;

namespace MailRelay.Inbound;

/// <summary>
/// INBOUND_FORWARD_TO: mail to the feedback addresses that is not a report is queued through the spool as a new
/// message to that address, so it is delivered, retried and DKIM-signed like any other. The received message travels
/// whole as a message/rfc822 part (its own From would fail DMARC if it were re-sent as it is); the new message is
/// from postmaster at the domain it was sent to (one of MAIL_DOMAINS), with the null sender, so a failure to
/// forward never bounces back into the feedback addresses.
/// </summary>
public sealed class InboundForwarder
{
    private readonly Spool _spool;
    private readonly string _forwardTo;
    private readonly string _hostName;

    public InboundForwarder(Spool spool, string forwardTo, string hostName)
    {
        _spool = spool;
        _forwardTo = forwardTo;
        _hostName = hostName;
    }

    /// <summary>Queues the forward; returns its queue id once durable.</summary>
    /// <exception cref="SpoolException">It could not be made durable.</exception>
    public async Task<string> ForwardAsync(InboundMessage message, InboundKind kind, string? authenticationResults, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var boundary = "=_feedback_" + message.Id;
        var domain = Policy.Senders.SenderAddress.DomainOf(message.Recipients[0]);
        var note = new StringBuilder();
        note.Append("The relay ").Append(_hostName).Append(" received this message for ").Append(string.Join(", ", message.Recipients))
            .Append("\r\nfrom <").Append(message.Sender).Append("> (client ").Append(message.ClientAddress?.ToString() ?? "unknown")
            .Append(", HELO ").Append(message.HeloName ?? "none").Append(") at ")
            .Append(message.ArrivalTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))
            .Append(".\r\nIt is attached whole (kind: ").Append(InboundMetrics.Label(kind)).Append(").\r\n");
        var noteIsAscii = Ascii(note.ToString());
        var head = new StringBuilder();
        head.Append("From: Mail relay <postmaster@").Append(domain).Append(">\r\n");
        head.Append("To: <").Append(_forwardTo).Append(">\r\n");
        head.Append("Subject: Feedback mail for ").Append(string.Join(", ", message.Recipients.Select(r => Ascii(r) ? r : "(address)"))).Append("\r\n");
        head.Append("Date: ").Append(now.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("Message-ID: <").Append(message.Id).Append('@').Append(_hostName).Append(">\r\n");
        head.Append("Auto-Submitted: auto-forwarded\r\n");
        head.Append("MIME-Version: 1.0\r\n");
        head.Append("Content-Type: multipart/mixed; boundary=\"").Append(boundary).Append("\"\r\n\r\n");
        head.Append("--").Append(boundary).Append("\r\n");
        head.Append("Content-Type: text/plain; charset=utf-8\r\n");
        head.Append("Content-Transfer-Encoding: ").Append(noteIsAscii ? "7bit" : "8bit").Append("\r\n\r\n");
        head.Append(note).Append("\r\n");
        head.Append("--").Append(boundary).Append("\r\n");
        head.Append("Content-Type: message/rfc822\r\n");
        head.Append("Content-Disposition: inline\r\n");
        if (message.EightBit)
        {
            head.Append("Content-Transfer-Encoding: 8bit\r\n");
        }

        head.Append("\r\n");
        var envelope = new SpoolEnvelope
        {
            Sender = string.Empty,
            Recipients = [_forwardTo],
            ClientAddress = message.ClientAddress?.ToString(),
            HeloName = message.HeloName,
            SmtpUtf8 = message.SmtpUtf8,
            Body = message.EightBit || !noteIsAscii ? MessageBodyType.EightBitMime : MessageBodyType.SevenBit,
        };
        await using var writer = await _spool.BeginAsync(envelope, cancellationToken);
        await writer.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), cancellationToken);
        await writer.WriteAsync(InboundCopy.TraceFields(message, authenticationResults), cancellationToken);
        await InboundCopy.CopyContentAsync(message, (block, ct) => writer.WriteAsync(block, ct), cancellationToken);
        await writer.WriteAsync(Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n"), cancellationToken);
        return await writer.CommitAsync(cancellationToken);
    }

    private static bool Ascii(string text) => text.All(char.IsAscii);
}
