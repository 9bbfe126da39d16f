namespace MailRelay.Handoff;

internal static partial class HandoffLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: handed over to {Peer} recipients={Recipients}")]
    public static partial void HandedOver(ILogger logger, string queueId, string peer, int recipients);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: {Peer} refused {Refused} of {Pending} recipients; they stay in the queue")]
    public static partial void Refused(ILogger logger, string queueId, string peer, int refused, int pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: unreadable delivery state, not handed over: {Detail}")]
    public static partial void Unreadable(ILogger logger, string queueId, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{FileName}: unreadable queue file, not handed over: {Detail}")]
    public static partial void UnreadableFile(ILogger logger, string fileName, string detail);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Scale-down check: ordinal {Ordinal}, replicas {Replicas}: {Outcome}")]
    public static partial void Decided(ILogger logger, int ordinal, int replicas, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scale-down check failed, the queue stays in DATA_DIR: {Reason}")]
    public static partial void CheckFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff to {Peer}:{Port}: {HandedOver} messages handed over, {Remaining} left in DATA_DIR; stopped early: {Problem}")]
    public static partial void Finished(ILogger logger, string peer, int port, int handedOver, int remaining, string problem);
}
