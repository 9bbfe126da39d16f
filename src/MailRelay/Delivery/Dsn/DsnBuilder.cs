using System.Text;
using MailRelay.Queue;
using MimeKit;
using MimeKit.Utils;

namespace MailRelay.Delivery.Dsn;

/// <summary>
/// Builds RFC 3464 delivery status notifications: multipart/report (report-type=delivery-status) with a
/// human-readable part, a message/delivery-status part, and the original headers (text/rfc822-headers) or,
/// when the sender asked for RET=FULL and the message is small, the whole message. Serialized with CRLF.
/// </summary>
public static class DsnBuilder
{
    /// <summary>Largest original message returned whole with RET=FULL; larger ones get their headers only.</summary>
    public const long MaxReturnedMessageSize = 1024 * 1024;

    /// <summary>Most header bytes of the original returned.</summary>
    public const int MaxReturnedHeaderSize = 64 * 1024;

    private static readonly FormatOptions CrlfFormat = CreateFormat();

    /// <summary>Builds the DSN's message bytes (CRLF line ends) for <paramref name="original"/>.</summary>
    public static byte[] Build(QueueEntry original, IReadOnlyList<DsnRecipient> recipients, string hostName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("A DSN reports on at least one recipient.", nameof(recipients));
        }

        var delayed = recipients.All(r => r.Action == DsnAction.Delayed);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@" + hostName));
        AddRecipient(message, original.Envelope.Sender);
        message.Subject = delayed ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender";
        message.Date = now;
        message.MessageId = MimeUtils.GenerateMessageId(hostName);
        message.Headers.Add("Auto-Submitted", "auto-replied");

        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = HumanReadable(recipients, hostName, delayed) },
            StatusPart(original, recipients, hostName),
            OriginalPart(original),
        };
        message.Body = report;

        using var output = new MemoryStream();
        message.WriteTo(CrlfFormat, output);
        return output.ToArray();
    }

    /// <summary>
    /// The envelope a DSN travels with: null sender (never bounced itself), to the original sender. It asks
    /// for SMTPUTF8 only when it must quote a non-ASCII address (the sender it goes to, or a recipient it
    /// reports on); otherwise it is plain ASCII mail that any next hop takes, so the sender is always told,
    /// whatever flag the original carried.
    /// </summary>
    public static SpoolEnvelope EnvelopeFor(QueueEntry original, IReadOnlyList<DsnRecipient> recipients)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(recipients);
        var quotesNonAscii = !Ascii.IsValid(original.Envelope.Sender)
            || recipients.Any(r => !Ascii.IsValid(r.Recipient) || (r.OriginalRecipient is { } orcpt && !Ascii.IsValid(orcpt)));
        return new SpoolEnvelope
        {
            Sender = string.Empty,
            Recipients = [original.Envelope.Sender],
            SmtpUtf8 = quotesNonAscii,
            Body = original.Envelope.Body == MessageBodyType.SevenBit ? MessageBodyType.SevenBit : MessageBodyType.EightBitMime,
        };
    }

    private static void AddRecipient(MimeMessage message, string sender)
    {
        try
        {
            message.To.Add(new MailboxAddress(string.Empty, sender));
        }
        catch (ParseException)
        {
            // An envelope address MimeKit will not parse still deserves its bounce: the header carries it as is.
            message.Headers.Add(HeaderId.To, "<" + sender + ">");
        }
    }

    private static string HumanReadable(IReadOnlyList<DsnRecipient> recipients, string hostName, bool delayed)
    {
        var text = new StringBuilder();
        text.Append("This is the mail system at host ").Append(hostName).Append(".\n\n");
        text.Append(delayed
            ? "Your message could not be delivered yet to the recipients below. It is still being retried;\nyou do not need to send it again.\n\n"
            : "I'm sorry to have to inform you that your message could not be delivered to one or more\nrecipients. The original message or its headers are attached below.\n\n");
        foreach (var recipient in recipients)
        {
            text.Append('<').Append(recipient.Recipient).Append(">: ");
            if (recipient.Status == "4.4.7")
            {
                text.Append("delivery time expired; ");
            }

            if (recipient.Diagnostic is not null)
            {
                text.Append(recipient.RemoteMta is null ? "last reply: " : "host " + recipient.RemoteMta + " said: ");
                text.Append(recipient.Diagnostic);
            }
            else
            {
                text.Append("status ").Append(recipient.Status);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static MessageDeliveryStatus StatusPart(QueueEntry original, IReadOnlyList<DsnRecipient> recipients, string hostName)
    {
        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList { { "Reporting-MTA", "dns; " + hostName } };
        if (original.Envelope.EnvelopeId is { } envelopeId)
        {
            // ENVID travels xtext-encoded in SMTP; the report carries it decoded (RFC 3461 §4.4).
            perMessage.Add("Original-Envelope-Id", Smtp.Commands.Xtext.Decode(envelopeId));
        }

        perMessage.Add("Arrival-Date", DateUtils.FormatDate(original.ArrivalTime));
        status.StatusGroups.Add(perMessage);
        foreach (var recipient in recipients)
        {
            var group = new HeaderList();
            if (recipient.OriginalRecipient is { } originalRecipient)
            {
                // RFC 3464 §2.3.1: the ORCPT the sender gave, ahead of the address we delivered to.
                group.Add("Original-Recipient", originalRecipient);
            }

            group.Add("Final-Recipient", "rfc822; " + recipient.Recipient);
            group.Add("Action", recipient.Action == DsnAction.Failed ? "failed" : "delayed");
            group.Add("Status", recipient.Status);
            if (recipient.RemoteMta is { } remote)
            {
                group.Add("Remote-MTA", "dns; " + remote);
            }

            if (recipient.Diagnostic is { } diagnostic)
            {
                group.Add("Diagnostic-Code", "smtp; " + diagnostic);
            }

            if (recipient.LastAttempt is { } last)
            {
                group.Add("Last-Attempt-Date", DateUtils.FormatDate(last));
            }

            status.StatusGroups.Add(group);
        }

        return status;
    }

    private static MimeEntity OriginalPart(QueueEntry original)
    {
        using var file = QueueContent.Open(original, QueueContent.ReadOptions());
        if (original.Envelope.Return == DsnReturn.Full && original.Size <= MaxReturnedMessageSize)
        {
            return new MessagePart("rfc822") { Message = MimeMessage.Load(file) };
        }

        var headers = ReadHeaderBlock(file);
        using var headerStream = new MemoryStream(headers);
        return new TextRfc822Headers { Message = MimeMessage.Load(headerStream) };
    }

    /// <summary>The header block (up to and including the blank line), bounded.</summary>
    private static byte[] ReadHeaderBlock(Stream file)
    {
        var buffer = new byte[MaxReturnedHeaderSize];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = file.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        var content = buffer.AsSpan(0, length);
        var end = content.IndexOf("\r\n\r\n"u8);
        if (end >= 0)
        {
            return content[..(end + 4)].ToArray();
        }

        // Truncated at the last complete line, then closed with the blank line a header block needs.
        var lastLine = content.LastIndexOf("\r\n"u8);
        var kept = lastLine < 0 ? [] : content[..(lastLine + 2)].ToArray();
        return [.. kept, .. "\r\n"u8];
    }

    private static FormatOptions CreateFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
