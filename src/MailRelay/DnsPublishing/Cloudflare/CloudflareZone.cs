namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>A zone a record name belongs to: its name (lower case) and the id the record calls are made under.</summary>
internal sealed record CloudflareZone(string Name, string Id);
