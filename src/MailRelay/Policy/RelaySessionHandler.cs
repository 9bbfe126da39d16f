using MailRelay.Inbound;
using MailRelay.Policy.Senders;
using MailRelay.Queue;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>
/// The daemon's side of the SMTP boundary: free disk space and the sender rules at MAIL FROM, relay permission at
/// RCPT, the spool at DATA/BDAT, and the one log event per session. A transaction with XARRIVAL comes from a peer
/// relay handing over its queue (HANDOFF_PEERS): it may relay, and the message keeps its original arrival time.
/// </summary>
public sealed partial class RelaySessionHandler : ISmtpSessionHandler
{
    private readonly RelayPolicy _policy;
    private readonly SenderPolicy _senders;
    private readonly MessageIntake _intake;
    private readonly Spool _spool;
    private readonly SpoolFreeSpace _freeSpace;
    private readonly InboundRouting _inbound;
    private readonly InboundReceiver? _receiver;
    private readonly ILogger<RelaySessionHandler> _logger;
    private readonly Suppression.SuppressionPolicy? _suppression;

    /// <param name="inbound">The feedback addresses' RCPT decisions.</param>
    /// <param name="receiver">Where their mail goes at DATA; null with INBOUND_ENABLED off.</param>
    /// <param name="suppression">Under SUPPRESS_AFTER_HARD_BOUNCE: refuses suppressed recipients at RCPT.</param>
    public RelaySessionHandler(
        RelayPolicy policy,
        SenderPolicy senders,
        MessageIntake intake,
        Spool spool,
        SpoolFreeSpace freeSpace,
        InboundRouting inbound,
        ILogger<RelaySessionHandler> logger,
        InboundReceiver? receiver = null,
        Suppression.SuppressionPolicy? suppression = null)
    {
        _inbound = inbound;
        _receiver = receiver;
        _suppression = suppression;
        _freeSpace = freeSpace;
        _policy = policy;
        _senders = senders;
        _intake = intake;
        _spool = spool;
        _logger = logger;
    }

    public ValueTask<SmtpReply?> OnConnectAsync(SessionContext session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(null);

    /// <summary>
    /// The sender rules apply to clients that may relay; any other client is refused at RCPT anyway, with the
    /// relay refusal it would expect. Below SPOOL_MIN_FREE_SPACE, or with a SIZE= that would go below it, nobody
    /// starts a message (RFC 1870 §6.1 names 452 for this): the cached free space costs no system call here.
    /// </summary>
    public ValueTask<SmtpReply?> OnMailFromAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken)
    {
        if (!_freeSpace.Admits(transaction.DeclaredSize))
        {
            _freeSpace.CountRefusedAtMail();
            LogStorageRefused(_logger, session.Id, session.RemoteEndPoint, transaction.ReversePath, transaction.DeclaredSize ?? 0, _freeSpace.FreeBytes, _freeSpace.MinimumFreeBytes);
            return ValueTask.FromResult<SmtpReply?>(SpoolingMessageWriter.InsufficientStorage);
        }

        // A peer handing over its queue (the engine admits XARRIVAL from HANDOFF_PEERS only) relays mail that passed
        // the sender rules when it first arrived there.
        if (transaction.OriginalArrival is not null || !_policy.MayRelay(session.RemoteAddress, session.AuthenticatedUser))
        {
            return ValueTask.FromResult<SmtpReply?>(null);
        }

        var refusal = _senders.Check(transaction.ReversePath, session.AuthenticatedUser);
        if (refusal == SenderRefusal.None)
        {
            return ValueTask.FromResult<SmtpReply?>(null);
        }

        LogSenderRefused(_logger, session.Id, session.RemoteEndPoint, session.AuthenticatedUser ?? "-", transaction.ReversePath, SenderMetrics.Label(refusal));
        _intake.Metrics.Refused(refusal);
        return ValueTask.FromResult<SmtpReply?>(
            new SmtpReply(553, "5.7.1", $"<{transaction.ReversePath}>: Sender address rejected: not allowed to send through this relay"));
    }

    /// <summary>
    /// Relay permission for every recipient but the feedback addresses (INBOUND_ENABLED), which anyone may reach
    /// (a VERP one only when it verifies); then one kind of recipient per transaction (<see cref="InboundRouting"/>).
    /// </summary>
    public ValueTask<SmtpReply?> OnRecipientAsync(SessionContext session, MailTransaction transaction, string recipient, CancellationToken cancellationToken)
    {
        if (transaction.OriginalArrival is not null)
        {
            // A peer's handoff (XARRIVAL): mail this relay's peer already accepted and queued, relayed as it was.
            return ValueTask.FromResult<SmtpReply?>(null);
        }

        var route = _inbound.Route(recipient);
        SmtpReply? refusal;
        if (route == RecipientRoute.Inbound)
        {
            refusal = _inbound.CheckInbound(recipient, out var status);
            if (refusal is not null)
            {
                LogReturnPathRefused(_logger, session.Id, session.RemoteEndPoint, session.HeloName ?? "-", transaction.ReversePath, recipient, status?.ToString() ?? "-");
                return ValueTask.FromResult<SmtpReply?>(refusal);
            }
        }
        else
        {
            refusal = _policy.CheckRecipient(session, recipient);
            if (refusal is not null)
            {
                LogRelayDenied(_logger, session.Id, session.RemoteEndPoint, session.HeloName ?? "-", transaction.ReversePath, recipient);
                return ValueTask.FromResult<SmtpReply?>(refusal);
            }

            if (_suppression?.Check(recipient) is { } suppressed)
            {
                LogSuppressed(_logger, session.Id, session.RemoteEndPoint, transaction.ReversePath, recipient);
                return ValueTask.FromResult<SmtpReply?>(suppressed);
            }
        }

        if (_inbound.RouteOf(transaction) is { } transactionRoute && transactionRoute != route)
        {
            return ValueTask.FromResult<SmtpReply?>(InboundRouting.MixedTransaction(recipient));
        }

        return ValueTask.FromResult<SmtpReply?>(null);
    }

    public ValueTask<IMessageWriter> OpenMessageAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken) =>
        _inbound.RouteOf(transaction) == RecipientRoute.Inbound && _receiver is not null
            ? _receiver.OpenAsync(session, transaction, cancellationToken)
            : SpoolingMessageWriter.OpenAsync(_spool, _freeSpace, session, transaction, _intake, _logger, cancellationToken);

    public ValueTask OnSessionEndAsync(SessionContext session, SessionSummary summary)
    {
        LogSession(
            _logger,
            session.Id,
            session.RemoteEndPoint,
            session.HeloName ?? "-",
            summary.Outcome,
            (long)summary.Duration.TotalMilliseconds,
            summary.Commands,
            summary.MessagesAccepted,
            summary.MessagesRefused,
            summary.RecipientsAccepted,
            summary.RecipientsRefused,
            summary.BytesReceived,
            session.IsSecure);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{SessionId}: suppressed recipient client={Client} from=<{Sender}> to=<{Recipient}>; answered 550 5.1.1")]
    private static partial void LogSuppressed(ILogger logger, string sessionId, System.Net.EndPoint? client, string sender, string recipient);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{SessionId}: sender refused client={Client} user={User} from=<{Sender}> reason={Reason}; answered 553 5.7.1")]
    private static partial void LogSenderRefused(ILogger logger, string sessionId, System.Net.EndPoint? client, string user, string sender, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{SessionId}: insufficient storage client={Client} from=<{Sender}> size={DeclaredSize} free={FreeBytes} floor={FloorBytes}; answered 452 4.3.1")]
    private static partial void LogStorageRefused(ILogger logger, string sessionId, System.Net.EndPoint? client, string sender, long declaredSize, long freeBytes, long floorBytes);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{SessionId}: relay denied client={Client} helo={Helo} from=<{Sender}> to=<{Recipient}>")]
    private static partial void LogRelayDenied(ILogger logger, string sessionId, System.Net.EndPoint? client, string helo, string sender, string recipient);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{SessionId}: return path refused client={Client} helo={Helo} from=<{Sender}> to=<{Recipient}> status={Status}; answered 550 5.7.1")]
    private static partial void LogReturnPathRefused(ILogger logger, string sessionId, System.Net.EndPoint? client, string helo, string sender, string recipient, string status);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{SessionId}: session client={Client} helo={Helo} outcome={Outcome} duration={DurationMs}ms commands={Commands} messages={Accepted}/{Refused} recipients={RecipientsAccepted}/{RecipientsRefused} bytes={Bytes} tls={Tls}")]
    private static partial void LogSession(
        ILogger logger,
        string sessionId,
        System.Net.EndPoint? client,
        string helo,
        SessionOutcome outcome,
        long durationMs,
        int commands,
        int accepted,
        int refused,
        int recipientsAccepted,
        int recipientsRefused,
        long bytes,
        bool tls);
}
