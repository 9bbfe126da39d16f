using System.Net;

namespace MailRelay.Delivery.Transport;

/// <summary>The delivery transport's log events. Replies are logged; credentials never are.</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "Routing mail for {Domain} failed: {Reply}")]
    public static partial void RouteFailed(ILogger logger, string domain, RemoteReply reply);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "No connection to {Host}: {Reply}")]
    public static partial void HopFailed(ILogger logger, string host, RemoteReply reply);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information,
        Message = "No connection to {Host}[{Address}]:{Port}: {Reply}")]
    public static partial void AddressFailed(ILogger logger, string host, IPAddress address, int port, RemoteReply reply);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug,
        Message = "Reusing the connection to {Host}[{Address}]:{Port}")]
    public static partial void Reused(ILogger logger, string host, IPAddress address, int port);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug,
        Message = "Connected to {Host}[{Address}]:{Port} (TLS {Secure})")]
    public static partial void Connected(ILogger logger, string host, IPAddress address, int port, bool secure);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "Cannot read queued message {QueueId} for delivery")]
    public static partial void MessageUnreadable(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Error,
        Message = "Delivery attempt for {QueueId} failed unexpectedly")]
    public static partial void AttemptFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Information,
        Message = "Queued message {QueueId} has lines over {Limit} octets: it is sent rewritten so that every line fits")]
    public static partial void LinesRewritten(ILogger logger, string queueId, int limit);
}
