using System.Net;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// The Cloudflare provider's log events. Paths, zone ids and record data are logged (all of it is public DNS data
/// or harmless identifiers); the API token never is, and no event takes a header.
/// </summary>
internal static partial class CloudflareLog
{
    [LoggerMessage(EventId = 8501, Level = LogLevel.Debug,
        Message = "Cloudflare {Request} answered {StatusCode}")]
    public static partial void Answered(ILogger logger, string request, int statusCode);

    [LoggerMessage(EventId = 8502, Level = LogLevel.Warning,
        Message = "Cloudflare {Request} failed ({Reason}); retry {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, string request, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 8503, Level = LogLevel.Warning,
        Message = "Cloudflare refused {Request} (HTTP {StatusCode}): {Errors}")]
    public static partial void Refused(ILogger logger, string request, int statusCode, string errors);

    [LoggerMessage(EventId = 8504, Level = LogLevel.Information,
        Message = "Cloudflare zone {Zone} ({ZoneId}) found through the API for {Name}")]
    public static partial void ZoneFound(ILogger logger, string zone, string zoneId, string name);

    [LoggerMessage(EventId = 8505, Level = LogLevel.Debug,
        Message = "Read {Count} records of Cloudflare zone {Zone}")]
    public static partial void ZoneRead(ILogger logger, int count, string zone);

    /// <summary>Debug: the publisher logs every applied change itself; this adds the zone it went to.</summary>
    [LoggerMessage(EventId = 8506, Level = LogLevel.Debug,
        Message = "Cloudflare zone {Zone}: {Change}")]
    public static partial void Applied(ILogger logger, string zone, DnsChange change);

    [LoggerMessage(EventId = 8507, Level = LogLevel.Information,
        Message = "Cloudflare said about {Request}: {Messages}")]
    public static partial void Said(ILogger logger, string request, IReadOnlyList<CloudflareMessage> messages);

    public static string Reason(HttpStatusCode status) => $"HTTP {(int)status} {status}";
}
