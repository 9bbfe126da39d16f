namespace MailRelay.Configuration;

/// <summary>The Cloudflare provider's settings.</summary>
public sealed record CloudflareSettings
{
    /// <summary>CLOUDFLARE_API_TOKEN or the content of CLOUDFLARE_API_TOKEN_FILE; a secret.</summary>
    public required string ApiToken { get; init; }

    /// <summary>CLOUDFLARE_ZONE_IDS: zone name (lower case) → zone id; zones not named are found through the API.</summary>
    public required IReadOnlyDictionary<string, string> ZoneIds { get; init; }

    /// <summary>CLOUDFLARE_PROXIED: proxy A/AAAA records through Cloudflare (orange cloud); never other types.</summary>
    public required bool Proxied { get; init; }

    /// <summary>CLOUDFLARE_API_URL: the v4 API's base address.</summary>
    public required Uri ApiUrl { get; init; }

    public override string ToString() => $"CloudflareSettings {{ ApiUrl = {ApiUrl}, Proxied = {Proxied}, Zones = {ZoneIds.Count} }}";
}
