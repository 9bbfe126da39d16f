using System.Buffers;
using System.Text;
using MailRelay.Policy.Senders;
using MailRelay.Queue;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>
/// Streams one message into the spool: our <c>Received:</c> header first, then the content as the engine
/// hands it over, less the header fields of OUTBOUND_STRIP_HEADERS (removed here, so before DKIM signing at
/// delivery). The 250 carries the queue id and is returned only once the spool says the message and its
/// envelope are durable; any spool failure leaves nothing and becomes <c>451 4.3.0</c>, or <c>452 4.3.1</c> when
/// the disk or the quota is full (RFC 3463 "mail system full"; the free-space cache is told, so the next MAIL
/// FROM sees it). With
/// SENDER_CHECK_FROM_HEADER a From: at another domain than the envelope sender's is refused at the final dot
/// and the spool file discarded, so it is never queued.
/// </summary>
public sealed partial class SpoolingMessageWriter : IMessageWriter
{
    private readonly SpoolMessageWriter _spool;
    private readonly SpoolFreeSpace _freeSpace;
    private readonly SessionContext _session;
    private readonly string _sender;
    private readonly MessageIntake _intake;
    private readonly HeaderSectionFilter? _filter;
    private readonly ArrayBufferWriter<byte>? _filtered;
    private readonly ILogger _logger;
    private SpoolException? _failure;
    private bool _handedOver;

    private SpoolingMessageWriter(SpoolMessageWriter spool, SpoolFreeSpace freeSpace, SessionContext session, string sender, MessageIntake intake, ILogger logger)
    {
        _spool = spool;
        _freeSpace = freeSpace;
        _session = session;
        _sender = sender;
        _intake = intake;
        _filter = intake.CreateFilter(sender);
        _filtered = _filter is null ? null : new ArrayBufferWriter<byte>(4096);
        _logger = logger;
    }

    public string QueueId => _spool.QueueId;

    public static async ValueTask<IMessageWriter> OpenAsync(
        Spool spool,
        SpoolFreeSpace freeSpace,
        SessionContext session,
        MailTransaction transaction,
        MessageIntake intake,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var envelope = new SpoolEnvelope
        {
            Sender = transaction.ReversePath,
            Recipients = transaction.Recipients.ToArray(),
            ClientAddress = session.RemoteAddress?.ToString(),
            HeloName = session.HeloName,
            AuthenticatedUser = session.AuthenticatedUser,
            SmtpUtf8 = transaction.SmtpUtf8,
            Body = transaction.Body == BodyType.EightBitMime ? MessageBodyType.EightBitMime : MessageBodyType.SevenBit,
            EnvelopeId = transaction.EnvelopeId,
            Return = transaction.Return?.ToUpperInvariant() switch
            {
                "FULL" => DsnReturn.Full,
                "HDRS" => DsnReturn.Headers,
                _ => DsnReturn.Unspecified,
            },
            RecipientDsn = transaction.DsnRequests.ToDictionary(
                pair => pair.Key,
                pair => new RecipientDsnOptions(RecipientDsnOptions.ParseNotify(pair.Value.Notify), pair.Value.OriginalRecipient),
                StringComparer.Ordinal),
        };

        SpoolMessageWriter writer;
        try
        {
            writer = await spool.BeginAsync(envelope, transaction.OriginalArrival, cancellationToken);
        }
        catch (SpoolException ex)
        {
            var reply = ReplyFor(ex, freeSpace);
            LogSpoolFailure(logger, ex.QueueId ?? "-", ex.Reason, ex.Message, reply.Code, reply.EnhancedCode);
            return new RefusingMessageWriter(reply);
        }

        var result = new SpoolingMessageWriter(writer, freeSpace, session, transaction.ReversePath, intake, logger)
        {
            // Checked where the message first arrived; the peer's own settings are not this relay's to re-apply.
            _handedOver = transaction.OriginalArrival is not null,
        };
        var received = ReceivedHeader.Build(session, transaction, intake.HostName, writer.QueueId, writer.ArrivalTime, intake.HideClient);
        await result.StoreAsync(Encoding.UTF8.GetBytes(received), cancellationToken);
        return result;
    }

    private static SmtpReply TemporaryFailure => new(451, "4.3.0", "Error: queue file write error, try again later");

    /// <summary>The disk (or the quota) holding the spool is full: RFC 3463 4.3.1, RFC 5321 452.</summary>
    public static SmtpReply InsufficientStorage => new(452, "4.3.1", "Insufficient system storage");

    /// <summary>
    /// 452 4.3.1 when the failure was a full disk or quota, wherever in the spool it struck; 451 4.3.0 for any
    /// other failure. A full disk is also counted and makes the free-space cache ask again.
    /// </summary>
    private static SmtpReply ReplyFor(SpoolException failure, SpoolFreeSpace freeSpace)
    {
        if (failure.Reason != SpoolFailureReason.InsufficientStorage
            && !(failure.InnerException is { } cause && SpoolFiles.IsOutOfSpace(cause)))
        {
            return TemporaryFailure;
        }

        freeSpace.Invalidate();
        freeSpace.CountRefusedAtData();
        return InsufficientStorage;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (_filter is null || _filtered is null || _filter.PassesThrough)
        {
            return StoreAsync(content, cancellationToken);
        }

        _filtered.ResetWrittenCount();
        _filter.Process(content.Span, _filtered);
        return StoreAsync(_filtered.WrittenMemory, cancellationToken);
    }

    private async ValueTask StoreAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (_failure is not null)
        {
            return;
        }

        try
        {
            await _spool.WriteAsync(content, cancellationToken);
        }
        catch (SpoolException ex)
        {
            // Keep reading the client's data (the engine does) and answer 451 at the end.
            _failure = ex;
        }
    }

    public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_filter is not null && _filtered is not null)
        {
            _filtered.ResetWrittenCount();
            _filter.Finish(_filtered);
            await StoreAsync(_filtered.WrittenMemory, cancellationToken);
            if (!_handedOver && _intake.ChecksFrom(_sender) && !FromHeaderMatches(_filter, out var from))
            {
                LogFromHeaderRefused(_logger, _session.Id, _session.RemoteEndPoint, _session.AuthenticatedUser ?? "-", _sender, from);
                _intake.Metrics.Refused(SenderRefusal.FromHeader);
                await _spool.AbortAsync();
                return new SmtpReply(550, "5.7.1", "From header does not match the envelope sender");
            }
        }

        if (_failure is null)
        {
            try
            {
                var id = await _spool.CommitAsync(cancellationToken);
                return new SmtpReply(250, "2.0.0", $"Ok: queued as {id}");
            }
            catch (SpoolException ex)
            {
                _failure = ex;
            }
        }

        var reply = ReplyFor(_failure, _freeSpace);
        LogSpoolFailure(_logger, _spool.QueueId, _failure.Reason, _failure.Message, reply.Code, reply.EnhancedCode);
        await _spool.AbortAsync();
        return reply;
    }

    public ValueTask AbortAsync() => _spool.AbortAsync();

    private bool FromHeaderMatches(HeaderSectionFilter filter, out string from)
    {
        if (!filter.TryGetFromAddresses(out var addresses))
        {
            from = filter.FromTooLong ? "(too long)" : "(unreadable)";
            return false;
        }

        from = string.Join(",", addresses);
        return SenderPolicy.FromHeaderMatches(_sender, addresses);
    }

    public ValueTask DisposeAsync() => _spool.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{SessionId}: From header refused client={Client} user={User} from=<{Sender}> header-from={HeaderFrom}; answered 550 5.7.1")]
    private static partial void LogFromHeaderRefused(ILogger logger, string sessionId, System.Net.EndPoint? client, string user, string sender, string headerFrom);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: spool failure ({Reason}): {Detail}; answered {Code} {EnhancedCode}")]
    private static partial void LogSpoolFailure(ILogger logger, string queueId, SpoolFailureReason reason, string detail, int code, string? enhancedCode);
}
