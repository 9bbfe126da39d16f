namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>The fields of a zone object the provider needs: its id for the record calls, its name and status to choose.</summary>
internal sealed class CloudflareZoneJson
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Status { get; init; }
}
