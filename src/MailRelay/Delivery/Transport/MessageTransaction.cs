using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// One MAIL/RCPT/DATA transaction on a ready connection. Refuses up front what the next hop cannot take
/// unchanged (SIZE, 8BITMIME, SMTPUTF8 when the message really needs it), then sends with the queue's envelope and maps every recipient to
/// its own outcome: its RCPT reply if refused, otherwise the reply to the message data. A paced request waits at
/// its <see cref="DeliveryRequest.Gate"/> just before MAIL FROM; a transaction refused up front never reaches it.
/// </summary>
public sealed class MessageTransaction
{
    private readonly SmtpTransportOptions _options;
    private readonly IReturnPathSource? _returnPaths;

    /// <param name="returnPaths">Gives a one-recipient transaction its MAIL FROM (VERP); null: the envelope sender.</param>
    public MessageTransaction(SmtpTransportOptions options, IReturnPathSource? returnPaths = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _returnPaths = returnPaths;
    }

    public async Task<TransactionOutcome> SendAsync(
        RelayingSmtpClient client, LoadedMessage message, DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(request);
        var relay = ReplyText.Describe(client.Hop, client.RemoteEndPoint);
        var international = NeedsSmtpUtf8(message, request);
        var refusal = CheckCapabilities(client, message, request.Message.Envelope, international, relay);
        if (refusal is not null)
        {
            return new TransactionOutcome(All(client, request, refusal), ConnectionReusable: true);
        }

        var envelope = request.Message.Envelope;
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.International = international;
        if (!TryMailbox(envelope.Sender, out var sender))
        {
            var badSender = ReplyText.Local(553, "5.1.7", $"the envelope sender <{envelope.Sender}> cannot be sent: bad address syntax");
            return new TransactionOutcome(All(client, request, badSender), ConnectionReusable: true);
        }

        if (_returnPaths is not null && request.Recipients.Count == 1)
        {
            // Before the gate: recording the return path's recipient takes an fsync, which must not eat into the pacing gap.
            string? returnPath;
            try
            {
                returnPath = _returnPaths.ReturnPathFor(request.Message, request.Recipients[0]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var unrecorded = ReplyText.Local(451, "4.3.0", $"the return path could not be recorded: {ex.Message}");
                return new TransactionOutcome(All(client, request, unrecorded), ConnectionReusable: true);
            }

            if (returnPath is not null)
            {
                sender = new MailboxAddress(string.Empty, returnPath);
            }
        }

        var recipients = new List<MailboxAddress>(request.Recipients.Count);
        var malformed = new Dictionary<string, RemoteReply>(StringComparer.OrdinalIgnoreCase);
        foreach (var recipient in request.Recipients)
        {
            if (TryMailbox(recipient, out var mailbox))
            {
                recipients.Add(mailbox);
            }
            else
            {
                malformed[recipient] = ReplyText.Local(553, "5.1.3", $"<{recipient}> cannot be sent: bad address syntax");
            }
        }

        if (recipients.Count == 0)
        {
            return new TransactionOutcome(request.Recipients.Select(r => Result(client, r, malformed[r])).ToList(), ConnectionReusable: true);
        }

        if (request.Gate is { } gate)
        {
            // Pacing is kept where the receiver measures it: at MAIL FROM, after connect, greeting, EHLO, STARTTLS
            // and AUTH (or RSET on a reused connection), so their duration never shortens the gap it sees.
            await gate.WaitToStartAsync(cancellationToken).ConfigureAwait(false);

            // Nothing is written between the gate and MAIL FROM, so the next write is MAIL FROM (with the RCPTs when pipelined).
            client.AfterNextWrite(gate.MailFromSent);
        }

        client.BeginMessage(message.Size, request.Message.Envelope);
        client.Timeout = HopConnector.Milliseconds(_options.TransactionTimeout);
        RemoteReply? dataReply;
        RemoteReply? everyone = null;
        var reusable = true;
        try
        {
            var text = await client.SendAsync(format, message.Message, sender, recipients, cancellationToken).ConfigureAwait(false);
            dataReply = ReplyText.From(250, text);
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.SenderNotAccepted)
        {
            dataReply = null;
            everyone = ReplyText.From(ex);
        }
        catch (SmtpCommandException ex)
        {
            // Refused at DATA or after the final dot (MailKit has sent RSET); with no recipient accepted
            // this is MailKit's own summary and the RCPT replies say everything.
            dataReply = ReplyText.From(ex);
        }
        catch (ServiceNotAuthenticatedException ex)
        {
            dataReply = null;
            everyone = ReplyText.Local(451, "4.7.0", $"{relay} requires authentication: {ex.Message}");
            reusable = false;
        }
#pragma warning disable CA1031 // A broken link (I/O, protocol, timeout) or anything else: defer, never throw.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            dataReply = ReplyText.Local(451, "4.4.2", $"lost connection with {relay} during the transaction: {ex.Message}");
            reusable = false;
        }
        finally
        {
            client.AfterNextWrite(null);
            client.Timeout = HopConnector.Milliseconds(_options.CommandTimeout);
        }

        var results = new List<RecipientResult>(request.Recipients.Count);
        foreach (var recipient in request.Recipients)
        {
            var reply = malformed.GetValueOrDefault(recipient) ?? everyone ?? ReplyFor(client, recipient, dataReply);
            results.Add(Result(client, recipient, reply));
        }

        return new TransactionOutcome(results, reusable && client.IsConnected);
    }

    private static bool TryMailbox(string address, out MailboxAddress mailbox)
    {
        try
        {
            mailbox = new MailboxAddress(string.Empty, address);
            return true;
        }
        catch (ParseException)
        {
            mailbox = null!;
            return false;
        }
    }

    private static RemoteReply ReplyFor(RelayingSmtpClient client, string recipient, RemoteReply? dataReply)
    {
        if (client.RecipientReplies.TryGetValue(recipient, out var rcpt) && (int)rcpt.StatusCode >= 300)
        {
            return ReplyText.From(rcpt);
        }

        // Accepted at RCPT (or never answered, when the link broke): the data phase decides.
        return dataReply ?? ReplyText.Local(451, "4.4.2", "no reply to the message data");
    }

    /// <summary>
    /// SMTPUTF8 only when it is needed, as Postfix does: the client's flag alone is not enough; the envelope
    /// sender, a recipient of this transaction or a header must really hold non-ASCII. Plain ASCII mail sent
    /// with the flag goes to a next hop without SMTPUTF8 unchanged.
    /// </summary>
    internal static bool NeedsSmtpUtf8(LoadedMessage message, DeliveryRequest request)
    {
        var envelope = request.Message.Envelope;
        return envelope.SmtpUtf8
            && (!Ascii.IsValid(envelope.Sender) || request.Recipients.Any(r => !Ascii.IsValid(r)) || !message.HeadersAreAscii);
    }

    private static RemoteReply? CheckCapabilities(RelayingSmtpClient client, LoadedMessage message, SpoolEnvelope envelope, bool international, string relay)
    {
        var capabilities = client.Capabilities;
        if (capabilities.HasFlag(SmtpCapabilities.Size) && client.MaxSize > 0 && message.Size > client.MaxSize)
        {
            return ReplyText.Local(552, "5.3.4", $"message size {message.Size} exceeds the limit {client.MaxSize} of {relay}");
        }

        if (international && !capabilities.HasFlag(SmtpCapabilities.UTF8))
        {
            return ReplyText.Local(553, "5.6.7", $"the message needs SMTPUTF8, which {relay} does not support");
        }

        if (envelope.Body == MessageBodyType.EightBitMime && !capabilities.HasFlag(SmtpCapabilities.EightBitMime))
        {
            return ReplyText.Local(554, "5.6.3", $"the message has 8-bit content and {relay} does not support 8BITMIME; it is not converted");
        }

        if (envelope.Body == MessageBodyType.BinaryMime &&
            !(capabilities.HasFlag(SmtpCapabilities.BinaryMime) && capabilities.HasFlag(SmtpCapabilities.Chunking)))
        {
            return ReplyText.Local(554, "5.6.3", $"the message has binary content and {relay} does not support BINARYMIME; it is not converted");
        }

        return null;
    }

    private static List<RecipientResult> All(RelayingSmtpClient client, DeliveryRequest request, RemoteReply reply) =>
        request.Recipients.Select(recipient => Result(client, recipient, reply)).ToList();

    private static RecipientResult Result(RelayingSmtpClient client, string recipient, RemoteReply reply) =>
        new(recipient, OutcomeOf(reply), reply, client.Hop.Host, client.RemoteEndPoint);

    internal static RecipientOutcome OutcomeOf(RemoteReply reply) => reply.Code switch
    {
        >= 200 and < 300 => RecipientOutcome.Delivered,
        >= 500 and < 600 => RecipientOutcome.Failed,
        _ => RecipientOutcome.Deferred,
    };
}
