using MailRelay.Queue;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>
/// The daemon's side of the SMTP boundary: relay permission at RCPT, the spool at DATA/BDAT, and the one
/// log event per session.
/// </summary>
public sealed partial class RelaySessionHandler : ISmtpSessionHandler
{
    private readonly RelayPolicy _policy;
    private readonly Spool _spool;
    private readonly string _hostName;
    private readonly ILogger<RelaySessionHandler> _logger;

    public RelaySessionHandler(RelayPolicy policy, Spool spool, SmtpServerOptions options, ILogger<RelaySessionHandler> logger)
    {
        _policy = policy;
        _spool = spool;
        _hostName = options.HostName;
        _logger = logger;
    }

    public ValueTask<SmtpReply?> OnConnectAsync(SessionContext session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<SmtpReply?> OnMailFromAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<SmtpReply?> OnRecipientAsync(SessionContext session, MailTransaction transaction, string recipient, CancellationToken cancellationToken)
    {
        var refusal = _policy.CheckRecipient(session, recipient);
        if (refusal is not null)
        {
            LogRelayDenied(_logger, session.Id, session.RemoteEndPoint, session.HeloName ?? "-", transaction.ReversePath, recipient);
        }

        return ValueTask.FromResult(refusal);
    }

    public ValueTask<IMessageWriter> OpenMessageAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken) =>
        SpoolingMessageWriter.OpenAsync(_spool, session, transaction, _hostName, _logger, cancellationToken);

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
        Message = "{SessionId}: relay denied client={Client} helo={Helo} from=<{Sender}> to=<{Recipient}>")]
    private static partial void LogRelayDenied(ILogger logger, string sessionId, System.Net.EndPoint? client, string helo, string sender, string recipient);

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
