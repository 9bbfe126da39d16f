namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>One entry of an envelope's <c>errors</c> or <c>messages</c>: Cloudflare's numeric code and its text.</summary>
internal sealed class CloudflareMessage
{
    public int Code { get; init; }

    public string? Message { get; init; }

    public override string ToString() => $"{Code} {Message}";
}
