namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>The paging block of a list response; <see cref="TotalPages"/> is what tells the reader to go on.</summary>
internal sealed class CloudflareResultInfo
{
    public int Page { get; init; }

    public int PerPage { get; init; }

    public int Count { get; init; }

    public int TotalCount { get; init; }

    public int TotalPages { get; init; }
}
