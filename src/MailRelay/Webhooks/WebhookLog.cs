namespace MailRelay.Webhooks;

/// <summary>Webhook log events. Header values and the secret are never logged; a failing endpoint logs once, not per attempt.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 9201, Level = LogLevel.Information,
        Message = "Webhooks: {Endpoint} gets {Types} at {Url}, from outbox position {Position}; {MaxInFlight} requests at once, timeout {Timeout}, events kept {MaxAge}")]
    public static partial void Started(ILogger logger, string endpoint, string types, Uri url, long position, int maxInFlight, TimeSpan timeout, TimeSpan maxAge);

    [LoggerMessage(EventId = 9202, Level = LogLevel.Warning,
        Message = "Webhooks: {Endpoint} is failing ({Reason}: {Detail}, event {EventId}); events are retried with backoff until they are older than WEBHOOK_MAX_AGE")]
    public static partial void Failing(ILogger logger, string endpoint, string reason, string detail, string eventId);

    [LoggerMessage(EventId = 9203, Level = LogLevel.Debug,
        Message = "Webhooks: {Endpoint}: event {EventId} attempt {Attempt} failed ({Reason}: {Detail}); next in {Delay}")]
    public static partial void AttemptFailed(ILogger logger, string endpoint, string eventId, int attempt, string reason, string detail, TimeSpan delay);

    [LoggerMessage(EventId = 9204, Level = LogLevel.Information,
        Message = "Webhooks: {Endpoint} answers again after {Failures} failed attempts")]
    public static partial void Recovered(ILogger logger, string endpoint, int failures);

    [LoggerMessage(EventId = 9205, Level = LogLevel.Warning,
        Message = "Webhooks: {Endpoint}: event {EventId} ({Type}, queue id {QueueId}) DROPPED after {Failures} failed attempts: {Reason}")]
    public static partial void Dropped(ILogger logger, string endpoint, string eventId, string type, string? queueId, int failures, string reason);

    [LoggerMessage(EventId = 9206, Level = LogLevel.Error,
        Message = "Webhooks: {Endpoint}: the event outbox could not be read or acknowledged ({Problem}); trying again shortly")]
    public static partial void OutboxFailed(ILogger logger, string endpoint, string problem);
}
