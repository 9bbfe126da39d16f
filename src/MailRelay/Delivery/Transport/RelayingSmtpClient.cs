using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// MailKit's SMTP client made fit for relaying: it never re-encodes a message (that would break DKIM
/// signatures and change what the sender wrote; the transport applies its own 8-bit policy instead), it
/// records every recipient's RCPT reply instead of throwing on the first refusal, and it knows which hop
/// it is connected to for connection reuse and logs.
/// </summary>
public sealed class RelayingSmtpClient : SmtpClient
{
    private readonly Dictionary<string, SmtpResponse> _recipientReplies = new(StringComparer.OrdinalIgnoreCase);
    private long _messageSize = -1;
    private SpoolEnvelope? _envelope;

    private readonly ClientWriteWatch _writes;

    public RelayingSmtpClient(NextHop hop, IPEndPoint remoteEndPoint)
        : this(hop, remoteEndPoint, new ClientWriteWatch())
    {
    }

    private RelayingSmtpClient(NextHop hop, IPEndPoint remoteEndPoint, ClientWriteWatch writes)
        : base(writes)
    {
        _writes = writes;
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        Hop = hop;
        RemoteEndPoint = remoteEndPoint;
    }

    public NextHop Hop { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The pacing scope this connection serves (<see cref="PacedConnection.PoolKey"/>); null when unpaced.</summary>
    public string? PoolKey { get; set; }

    /// <summary>
    /// The places in connection ceilings shared by replicas this connection keeps while idle in the pool; released when
    /// it closes or when a request that reuses it takes it out.
    /// </summary>
    public IDisposable? IdlePlace { get; set; }

    /// <summary>Messages handed over on this connection (counted when the transaction started).</summary>
    public int MessagesSent { get; private set; }

    /// <summary>The RCPT replies of the current message, by recipient address.</summary>
    public IReadOnlyDictionary<string, SmtpResponse> RecipientReplies => _recipientReplies;

    /// <summary>
    /// Clears the recipient replies and sets the size MailKit declares in MAIL FROM SIZE= and the envelope whose
    /// DSN parameters (ENVID, RET, NOTIFY, ORCPT) go to a next hop that offers DSN.
    /// </summary>
    public void BeginMessage(long size, SpoolEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        _recipientReplies.Clear();
        _messageSize = size;
        _envelope = envelope;
        DeliveryStatusNotificationType = envelope.Return switch
        {
            DsnReturn.Full => DeliveryStatusNotificationType.Full,
            DsnReturn.Headers => DeliveryStatusNotificationType.HeadersOnly,
            _ => DeliveryStatusNotificationType.Unspecified,
        };
        MessagesSent++;
    }

    /// <summary>
    /// Calls <paramref name="written"/> once, right after the client's next write to the connection has completed
    /// (the bytes are with the kernel); null cancels a call not yet made.
    /// </summary>
    public void AfterNextWrite(Action? written) => _writes.Arm(written);

    /// <summary>RSET before a reused connection's next transaction; false if the server did not say 250.</summary>
    public async Task<bool> ResetAsync(CancellationToken cancellationToken)
    {
        var response = await SendCommandAsync("RSET", cancellationToken).ConfigureAwait(false);
        return response.StatusCode == SmtpStatusCode.Ok;
    }

    /// <summary>
    /// Connects over <paramref name="socket"/> with Nagle's algorithm off. MailKit writes the message data
    /// and its final dot in more than one segment; with Nagle on, the last small segment waits for the
    /// acknowledgement of the previous one, which a receiver that answers only after the dot delays (the
    /// delayed ACK, 40 ms on Linux): every transaction would stall that long, whatever the link's speed.
    /// </summary>
    public override Task ConnectAsync(
        Socket socket, string host, int port = 0, SecureSocketOptions options = SecureSocketOptions.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.NoDelay = true;
        return base.ConnectAsync(socket, host, port, options, cancellationToken);
    }

    /// <inheritdoc cref="ConnectAsync(Socket, string, int, SecureSocketOptions, CancellationToken)"/>
    public override void Connect(
        Socket socket, string host, int port = 0, SecureSocketOptions options = SecureSocketOptions.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.NoDelay = true;
        base.Connect(socket, host, port, options, cancellationToken);
    }

    /// <summary>Sends the message exactly as loaded: no transfer-encoding changes, whatever the server lacks.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            IdlePlace?.Dispose();
            IdlePlace = null;
        }

        base.Dispose(disposing);
    }

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }

    // MailKit adds these only when the server announced DSN (RFC 3461 §6.2: pass them on). It writes ORCPT itself,
    // as rfc822;<the RCPT address>, which RFC 3461 §4.2 permits; a client's own ORCPT stays in our DSNs.
    // The queue keeps ENVID as the client's xtext; MailKit encodes what it is given.
    protected override string? GetEnvelopeId(MimeMessage message) =>
        _envelope?.EnvelopeId is { } id ? Smtp.Commands.Xtext.Decode(id) : null;

    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_envelope?.DsnOptionsOf(mailbox.Address).Notify is not { } notify || notify == DsnNotify.Unspecified)
        {
            return null;
        }

        if (notify.HasFlag(DsnNotify.Never))
        {
            return DeliveryStatusNotification.Never;
        }

        var flags = default(DeliveryStatusNotification);
        if (notify.HasFlag(DsnNotify.Success))
        {
            flags |= DeliveryStatusNotification.Success;
        }

        if (notify.HasFlag(DsnNotify.Failure))
        {
            flags |= DeliveryStatusNotification.Failure;
        }

        if (notify.HasFlag(DsnNotify.Delay))
        {
            flags |= DeliveryStatusNotification.Delay;
        }

        return flags;
    }

    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        _messageSize >= 0 ? _messageSize : base.GetSize(options, message, cancellationToken);

    protected override Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        _messageSize >= 0 ? Task.FromResult(_messageSize) : base.GetSizeAsync(options, message, cancellationToken);

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        _recipientReplies[mailbox.Address] = response;
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        _recipientReplies[mailbox.Address] = response;
    }
}
