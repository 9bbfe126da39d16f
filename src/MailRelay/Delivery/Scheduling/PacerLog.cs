namespace MailRelay.Delivery.Scheduling;

/// <summary>The delivery pacer's log events.</summary>
internal static partial class PacerLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "Pacing {Provider}: rate-limit reply, delay now {DelayMs:0} ms")]
    public static partial void RateLimited(ILogger logger, string provider, double delayMs);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information,
        Message = "Pacing {Provider}: circuit open, next attempt at {Until:O}")]
    public static partial void Paused(ILogger logger, string provider, DateTimeOffset until);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information,
        Message = "Pacing {Provider}: today's warm-up cap reached, waiting until {Until:O}")]
    public static partial void WarmupCapReached(ILogger logger, string provider, DateTimeOffset until);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning,
        Message = "Pacing: cannot tell the provider of {Domain}; delivering unpaced")]
    public static partial void ClassificationFailed(ILogger logger, string domain, Exception exception);
}
