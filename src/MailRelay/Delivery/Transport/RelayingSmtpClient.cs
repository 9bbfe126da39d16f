using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
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

    public RelayingSmtpClient(NextHop hop, IPEndPoint remoteEndPoint)
    {
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        Hop = hop;
        RemoteEndPoint = remoteEndPoint;
    }

    public NextHop Hop { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Messages handed over on this connection (counted when the transaction started).</summary>
    public int MessagesSent { get; private set; }

    /// <summary>The RCPT replies of the current message, by recipient address.</summary>
    public IReadOnlyDictionary<string, SmtpResponse> RecipientReplies => _recipientReplies;

    /// <summary>Clears the recipient replies and sets the size MailKit declares in MAIL FROM SIZE=.</summary>
    public void BeginMessage(long size)
    {
        _recipientReplies.Clear();
        _messageSize = size;
        MessagesSent++;
    }

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
    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
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
