namespace MailRelay.DnsPublishing;

/// <summary>DNS publishing log events. Records are public data; provider credentials never appear.</summary>
internal static partial class DnsPublishLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "DNS {Provider}: {Change}")]
    public static partial void ChangeApplied(ILogger logger, string provider, string change);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning,
        Message = "DNS {Provider}: {Kind} records at {Name} are not the relay's and are left untouched: {Detail}")]
    public static partial void Conflict(ILogger logger, string provider, string kind, string name, string detail);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information,
        Message = "DNS {Provider}: {InSync} record sets in sync, {Pending} pending, {Conflicts} in conflict; public addresses {Addresses}")]
    public static partial void Planned(ILogger logger, string provider, int inSync, int pending, int conflicts, string addresses);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Warning,
        Message = "DNS {Provider}: publishing failed, retrying in {RetryIn}: {Reason}")]
    public static partial void Failed(ILogger logger, string provider, TimeSpan retryIn, string reason);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Information,
        Message = "DNS {Provider}: publishing every {Interval}; public addresses from {AddressSource}")]
    public static partial void Started(ILogger logger, string provider, TimeSpan interval, string addressSource);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information,
        Message = "DNS: public addresses changed from {Previous} to {Current}")]
    public static partial void AddressesChanged(ILogger logger, string previous, string current);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Warning,
        Message = "DNS: cannot read the managed-names state {Path} ({Reason}); records of domains removed earlier may not be cleaned up")]
    public static partial void StateUnreadable(ILogger logger, string path, string reason);
}
