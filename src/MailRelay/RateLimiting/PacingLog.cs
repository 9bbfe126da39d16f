namespace MailRelay.RateLimiting;

internal static partial class PacingLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Pacing state restored from {Path} (saved {SavedAt:o}): {Providers} providers, adaptive state {Adaptive}")]
    public static partial void StateRestored(ILogger logger, string path, DateTimeOffset savedAt, int providers, string adaptive);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Pacing state {Path} is unreadable and is ignored: {Reason}")]
    public static partial void StateUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "Pacing state could not be saved to {Path}: {Reason}")]
    public static partial void StateSaveFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Pacing state of provider {Provider} reset")]
    public static partial void ProviderReset(ILogger logger, string provider);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Pacing control request {Request} ignored: {Reason}")]
    public static partial void ControlIgnored(ILogger logger, string request, string reason);
}
