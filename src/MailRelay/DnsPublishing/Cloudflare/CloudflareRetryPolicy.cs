using System.Net;
using Polly;
using Polly.Retry;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// When and how long to wait before calling Cloudflare again. A 429 means the request was not carried out and says
/// when to come back (<c>Retry-After</c>, seconds or a date); a 5xx, a broken connection or a timeout is transient
/// and retried with exponential backoff. Everything else (400, 403, 404) will not improve by asking again.
/// Every wait runs on the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// A create retried after a 5xx may find that the first attempt did go through: Cloudflare then refuses it as an
/// identical record (81058), and the next plan reads the record and moves on.
/// </remarks>
internal static class CloudflareRetryPolicy
{
    /// <summary>Retries after the first call: five calls in all, about 15 s of backoff before giving up on 5xx.</summary>
    public const int MaxRetries = 4;

    /// <summary>The first backoff; each next one doubles (1, 2, 4, 8 s).</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Cloudflare counts requests over five-minute windows; a longer Retry-After is waited for five minutes.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>Carries "METHOD /path" from the caller to the retry log event.</summary>
    public static readonly ResiliencePropertyKey<string> RequestKey = new("MailRelay.Cloudflare.Request");

    public static ResiliencePipeline<HttpResponseMessage> Build(TimeProvider time, ILogger logger) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = FirstBackoff,
                MaxDelay = MaxBackoff,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, time)),
                OnRetry = args =>
                {
                    var reason = args.Outcome.Result is { } response
                        ? CloudflareLog.Reason(response.StatusCode)
                        : args.Outcome.Exception?.GetType().Name ?? "unknown";
                    CloudflareLog.Retrying(logger, args.Context.Properties.GetValue(RequestKey, "request"), reason, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();

    /// <summary>The wait a 429 asks for, within <see cref="MaxRetryAfter"/>; null (use the backoff) for anything else.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        if (response is not { StatusCode: HttpStatusCode.TooManyRequests } || response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var delay = header.Delta ?? header.Date - time.GetUtcNow();
        if (delay is not { } wait)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Result: { } response } => response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500,
        { Exception: HttpRequestException } => true,
        { Exception: OperationCanceledException } => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
