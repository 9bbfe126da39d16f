namespace MailRelay.Tests.Support;

/// <summary>A DNS record as <see cref="FakeCloudflareApi"/> stores it: the fields of Cloudflare's record object, content as written.</summary>
internal sealed record FakeCloudflareRecord(
    string Id,
    string ZoneId,
    string ZoneName,
    string Name,
    string Type,
    string Content,
    int Ttl,
    bool Proxied,
    int? Priority);
