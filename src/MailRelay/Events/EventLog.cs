namespace MailRelay.Events;

internal static partial class EventLog
{
    [LoggerMessage(EventId = 9601, Level = LogLevel.Information,
        Message = "Event outbox ready in {Directory}: {Segments} segments, next sequence {Next}; cut {Cut} bytes of an unfinished line")]
    public static partial void Opened(ILogger logger, string directory, int segments, long next, long cut);

    [LoggerMessage(EventId = 9602, Level = LogLevel.Warning,
        Message = "Event outbox segment {Path}: skipped a line that is not an event at byte {Offset}")]
    public static partial void SkippedLine(ILogger logger, string path, long offset);

    [LoggerMessage(EventId = 9603, Level = LogLevel.Error,
        Message = "Appending {Count} events to the outbox failed; the outcomes they tell of are not recorded either and are retried")]
    public static partial void AppendFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 9604, Level = LogLevel.Error,
        Message = "An event listener failed")]
    public static partial void ListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9605, Level = LogLevel.Information,
        Message = "Event outbox: no consumer registered; segments are deleted as soon as they are full")]
    public static partial void NoConsumer(ILogger logger);

    [LoggerMessage(EventId = 9606, Level = LogLevel.Warning,
        Message = "Event outbox: could not delete {Path}")]
    public static partial void DeleteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 9607, Level = LogLevel.Error,
        Message = "Recording blocklist change of {Target} on {List} as an event failed")]
    public static partial void BlocklistEventFailed(ILogger logger, string target, string list, Exception exception);
}
