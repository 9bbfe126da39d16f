namespace MailRelay.Queue;

/// <summary>The spool's log events.</summary>
internal static partial class SpoolLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Spool ready in {QueueDirectory}; removed {StaleCount} unacknowledged incoming files")]
    public static partial void Initialized(ILogger logger, string queueDirectory, int staleCount);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error,
        Message = "Writing message {QueueId} to the spool failed ({Reason})")]
    public static partial void WriteFailed(ILogger logger, string queueId, SpoolFailureReason reason, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error,
        Message = "Moving message {QueueId} into the committed area failed")]
    public static partial void MoveFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Critical,
        Message = "fsync of the queue directory failed; {Count} messages of the batch were refused")]
    public static partial void DirectorySyncFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "Could not remove spool file {Path}")]
    public static partial void CleanupFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug,
        Message = "Committed a batch of {Count} messages with one directory fsync")]
    public static partial void BatchCommitted(ILogger logger, int count);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Critical,
        Message = "The spool committer failed unexpectedly; {Count} messages were refused")]
    public static partial void CommitterFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error,
        Message = "A subscriber to committed messages failed for {QueueId}")]
    public static partial void NotificationFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Critical,
        Message = "Segment {Sequence} failed at offset {Offset}; the records after it were refused and a new segment is used")]
    public static partial void SegmentBroken(ILogger logger, long sequence, long offset, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error,
        Message = "Preparing segment {Sequence} failed")]
    public static partial void SegmentPrepareFailed(ILogger logger, long sequence, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error,
        Message = "Copying the messages of segment {Sequence} into queue files failed; they stay in the segment")]
    public static partial void CopyForwardFailed(ILogger logger, long sequence, Exception exception);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "Copied {Count} long-lived messages of segment {Sequence} into queue files of their own")]
    public static partial void CopiedForward(ILogger logger, int count, long sequence);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning,
        Message = "A segment file operation failed")]
    public static partial void SegmentFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning,
        Message = "Segment record {Record} checks but cannot be read ({Problem}); its segment is kept for the operator")]
    public static partial void UnreadableSegmentRecord(ILogger logger, string record, string problem);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning,
        Message = "Segment {FirstKept} and the segments after it are kept: it holds a record that cannot be read")]
    public static partial void SegmentsKept(ILogger logger, string firstKept);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information,
        Message = "Copied {Copied} segment messages into queue files and removed {Deleted} segment files")]
    public static partial void Materialized(ILogger logger, int copied, int deleted);
}
