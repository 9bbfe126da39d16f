using System.Net;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>RFC 2136 provider log events. Records are public data; the TSIG secret never appears, only the key's name.</summary>
internal static partial class Rfc2136Log
{
    [LoggerMessage(EventId = 8601, Level = LogLevel.Debug,
        Message = "Zone of {Name} at {Server}: {Zone}")]
    public static partial void ZoneFound(ILogger logger, string name, string zone, IPEndPoint server);

    [LoggerMessage(EventId = 8602, Level = LogLevel.Debug,
        Message = "Read {Count} records at {Name} from {Server}")]
    public static partial void Read(ILogger logger, int count, string name, IPEndPoint server);

    [LoggerMessage(EventId = 8603, Level = LogLevel.Information,
        Message = "UPDATE of zone {Zone} applied by {Server} (key {Key}): {Changes}")]
    public static partial void Applied(ILogger logger, string zone, IPEndPoint server, string key, string changes);

    [LoggerMessage(EventId = 8604, Level = LogLevel.Warning,
        Message = "UPDATE of zone {Zone} not applied by {Server} (key {Key}): {Reason}")]
    public static partial void NotApplied(ILogger logger, string zone, IPEndPoint server, string key, string reason);
}
