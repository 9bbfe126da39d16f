using System.Text;
using MailRelay.Queue;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>
/// Streams one message into the spool: our <c>Received:</c> header first, then the content exactly as
/// the engine hands it over. The 250 carries the queue id and is returned only once the spool says the
/// message and its envelope are durable; any spool failure becomes <c>451 4.3.0</c> and leaves nothing.
/// </summary>
public sealed partial class SpoolingMessageWriter : IMessageWriter
{
    private readonly SpoolMessageWriter _spool;
    private readonly ILogger _logger;
    private SpoolException? _failure;

    private SpoolingMessageWriter(SpoolMessageWriter spool, ILogger logger)
    {
        _spool = spool;
        _logger = logger;
    }

    public string QueueId => _spool.QueueId;

    public static async ValueTask<IMessageWriter> OpenAsync(
        Spool spool,
        SessionContext session,
        MailTransaction transaction,
        string hostName,
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
            writer = await spool.BeginAsync(envelope, cancellationToken);
        }
        catch (SpoolException ex)
        {
            LogSpoolFailure(logger, ex.QueueId ?? "-", ex.Reason, ex.Message);
            return new RefusingMessageWriter(TemporaryFailure);
        }

        var result = new SpoolingMessageWriter(writer, logger);
        var received = ReceivedHeader.Build(session, transaction, hostName, writer.QueueId, writer.ArrivalTime);
        await result.WriteAsync(Encoding.UTF8.GetBytes(received), cancellationToken);
        return result;
    }

    private static SmtpReply TemporaryFailure => new(451, "4.3.0", "Error: queue file write error, try again later");

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
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

        LogSpoolFailure(_logger, _spool.QueueId, _failure.Reason, _failure.Message);
        await _spool.AbortAsync();
        return TemporaryFailure;
    }

    public ValueTask AbortAsync() => _spool.AbortAsync();

    public ValueTask DisposeAsync() => _spool.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: spool failure ({Reason}): {Detail}; answered 451 4.3.0")]
    private static partial void LogSpoolFailure(ILogger logger, string queueId, SpoolFailureReason reason, string detail);
}
