namespace MailRelay.Queue.Segments;

/// <summary>The log events of <see cref="SegmentMaterializer"/>; every method takes a null logger as "not logged".</summary>
internal static partial class SegmentMaterializerLog
{
    public static void RecordUnreadable(ILogger? logger, string record, string problem)
    {
        if (logger is not null)
        {
            UnreadableRecord(logger, record, problem);
        }
    }

    public static void SegmentsKept(ILogger? logger, string firstKept)
    {
        if (logger is not null)
        {
            Kept(logger, firstKept);
        }
    }

    public static void Materialized(ILogger? logger, int copied, int deleted)
    {
        if (logger is not null)
        {
            Done(logger, copied, deleted);
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning,
        Message = "Segment record {Record} checks but cannot be read ({Problem}); its segment is kept for the operator")]
    private static partial void UnreadableRecord(ILogger logger, string record, string problem);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning,
        Message = "Segment {FirstKept} and the segments after it are kept: it holds a record that cannot be read")]
    private static partial void Kept(ILogger logger, string firstKept);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information,
        Message = "Copied {Copied} segment messages into queue files and removed {Deleted} segment files")]
    private static partial void Done(ILogger logger, int copied, int deleted);
}
