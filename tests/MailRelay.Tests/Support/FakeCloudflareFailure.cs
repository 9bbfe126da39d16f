namespace MailRelay.Tests.Support;

/// <summary>
/// A failure <see cref="FakeCloudflareApi"/> answers one request with instead of serving it, in Cloudflare's error
/// envelope. The error codes and texts are Cloudflare's own for these cases.
/// </summary>
internal sealed record FakeCloudflareFailure(int Status, int Code, string Message, TimeSpan? RetryAfter = null)
{
    /// <summary>The API's rate limit: 429 with <c>Retry-After</c> in seconds.</summary>
    public static FakeCloudflareFailure RateLimited(TimeSpan retryAfter) =>
        new(429, 971, "Please wait and consider throttling your request speed", retryAfter);

    public static FakeCloudflareFailure ServerError() => new(500, 10000, "Internal server error");

    /// <summary>A token that lacks a permission.</summary>
    public static FakeCloudflareFailure Forbidden(string message = "Authentication error") => new(403, 10000, message);
}
