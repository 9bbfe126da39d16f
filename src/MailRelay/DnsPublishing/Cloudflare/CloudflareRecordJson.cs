namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// A DNS record object as the API reads and writes it. <see cref="Priority"/> carries an MX preference apart from
/// <see cref="Content"/> (the exchange host), and is left out of the JSON for other types; <see cref="Id"/> is
/// absent from a request body.
/// </summary>
internal sealed class CloudflareRecordJson
{
    public string? Id { get; init; }

    public required string Type { get; init; }

    public required string Name { get; init; }

    public required string Content { get; init; }

    /// <summary>Seconds; 1 is Cloudflare's "automatic", which proxied records always have.</summary>
    public int Ttl { get; init; }

    public bool Proxied { get; init; }

    public int? Priority { get; init; }
}
