namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// Cloudflare v4's response envelope, the same for every call: <c>success</c>, <c>errors</c> and <c>messages</c>
/// (each <c>{code, message}</c>), <c>result</c>, and <c>result_info</c> on lists. A failed call is read through the
/// same type so the error text the operator sees is Cloudflare's own.
/// </summary>
internal sealed class CloudflareEnvelope<T>
{
    public bool Success { get; init; }

    public IReadOnlyList<CloudflareMessage>? Errors { get; init; }

    public IReadOnlyList<CloudflareMessage>? Messages { get; init; }

    public T? Result { get; init; }

    public CloudflareResultInfo? ResultInfo { get; init; }
}
