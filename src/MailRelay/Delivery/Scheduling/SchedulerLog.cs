using MailRelay.Queue;

namespace MailRelay.Delivery.Scheduling;

/// <summary>The queue manager's log events. The per-recipient line follows Postfix's familiar form.</summary>
internal static partial class SchedulerLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "{QueueId}: to=<{Recipient}>, relay={Relay}, delay={Delay:0.##}, dsn={Dsn}, status={Status} ({Note}{Reply})")]
    public static partial void Attempt(
        ILogger logger,
        string queueId,
        string recipient,
        string relay,
        double delay,
        string dsn,
        string status,
        string note,
        RemoteReply reply);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information,
        Message = "Queue recovered: {Messages} messages, {Recipients} recipients not final, {Unreadable} unreadable files")]
    public static partial void Recovered(ILogger logger, int messages, int recipients, int unreadable);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "{QueueId}: removed")]
    public static partial void Removed(ILogger logger, string queueId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "{QueueId}: sender non-delivery notification: {DsnQueueId}")]
    public static partial void DsnQueued(ILogger logger, string queueId, string dsnQueueId);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "{QueueId}: sender delay notification: {DsnQueueId}")]
    public static partial void DelayWarningQueued(ILogger logger, string queueId, string dsnQueueId);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "{QueueId}: queuing the DSN failed; retried at the next start")]
    public static partial void DsnFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Critical,
        Message = "{QueueId}: recording delivery state failed; kept in memory and written again every second until durable (a crash before then makes these recipients be attempted again)")]
    public static partial void StateWriteFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "{QueueId}: delivery state kept back by a write failure is now recorded")]
    public static partial void StateWritten(ILogger logger, string queueId);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Debug, Message = "{QueueId}: delivery state still cannot be recorded: {Problem}")]
    public static partial void StateStillUnwritten(ILogger logger, string queueId, string problem);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error,
        Message = "{QueueId}: the transport failed instead of returning results; recipients deferred")]
    public static partial void TransportFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Queue request applied: {Request}")]
    public static partial void ControlApplied(ILogger logger, ControlRequest request);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Queue request ignored: {Request} ({Reason})")]
    public static partial void ControlIgnored(ILogger logger, string request, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Unreadable queue file {FileName}: {Problem}")]
    public static partial void Unreadable(ILogger logger, string fileName, string problem);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "{QueueId}: {Change}")]
    public static partial void HoldChanged(ILogger logger, string queueId, string change);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "{QueueId}: removing the message files failed")]
    public static partial void RemoveFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4060, Level = LogLevel.Error,
        Message = "{QueueId}: {Count} events could not be made durable ({Reason}); their outcomes are not recorded either and both are retried")]
    public static partial void EventsUnwritten(ILogger logger, string queueId, int count, string reason);

    [LoggerMessage(EventId = 4061, Level = LogLevel.Warning,
        Message = "{QueueId}: could not read the Message-ID and client id for events ({Reason})")]
    public static partial void CorrelationUnread(ILogger logger, string queueId, string reason);
}
