namespace MailRelay.Webhooks;

/// <summary>What became of one POST: outcomes are values, not exceptions.</summary>
public readonly record struct WebhookAttemptOutcome
{
    public WebhookAttemptResult Result { get; init; }

    /// <summary>For a failure, the <c>reason</c> label (<see cref="WebhookMetrics.FailureReasons"/>); for a drop, its reason.</summary>
    public string Reason { get; init; }

    /// <summary>A human-readable line for the log: the status and reason phrase, or the error.</summary>
    public string Detail { get; init; }

    /// <summary>The Retry-After the endpoint asked for, when it did.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static WebhookAttemptOutcome Sent(int status) => new() { Result = WebhookAttemptResult.Sent, Reason = string.Empty, Detail = $"{status}" };

    public static WebhookAttemptOutcome Gone(string detail) => new() { Result = WebhookAttemptResult.Dropped, Reason = "gone", Detail = detail };

    public static WebhookAttemptOutcome Failed(string reason, string detail, TimeSpan? retryAfter = null) =>
        new() { Result = WebhookAttemptResult.Failed, Reason = reason, Detail = detail, RetryAfter = retryAfter };
}

public enum WebhookAttemptResult
{
    /// <summary>Answered 2xx: the event is acknowledged.</summary>
    Sent,

    /// <summary>Failed for now: tried again after a backoff.</summary>
    Failed,

    /// <summary>Refused for good: the event is given up (and counted).</summary>
    Dropped,
}
