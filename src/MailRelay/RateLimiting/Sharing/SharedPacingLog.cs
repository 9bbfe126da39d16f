namespace MailRelay.RateLimiting.Sharing;

internal static partial class SharedPacingLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Redis unreachable ({Reason}): pacing falls back to this replica's share (1/{Replicas}) of every ceiling")]
    public static partial void FallingBack(ILogger logger, string reason, int replicas);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Redis reachable again after {Seconds:0.0} s: pacing is shared again")]
    public static partial void Recovered(ILogger logger, double seconds);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Redis script {Script} failed: {Reason}")]
    public static partial void ScriptFailed(ILogger logger, string script, string reason);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "Shared pacing through Redis {Host}:{Port} with key prefix {Prefix} ({Replicas} replicas)")]
    public static partial void Started(ILogger logger, string host, int port, string prefix, int replicas);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Debug, Message = "Adaptive state of {Provider} taken from replica {Origin} (version {Version})")]
    public static partial void Adopted(ILogger logger, string provider, string origin, long version);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Information, Message = "StatefulSet {StatefulSet} wants {Replicas} replicas (was {Before}): each replica's share while Redis is unreachable is 1/{Replicas}")]
    public static partial void ReplicasRead(ILogger logger, string statefulSet, int replicas, int before);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Warning, Message = "Cannot read the replica count of StatefulSet {StatefulSet}, keeping {Replicas}: {Reason}")]
    public static partial void ReplicasUnread(ILogger logger, string statefulSet, int replicas, string reason);
}
