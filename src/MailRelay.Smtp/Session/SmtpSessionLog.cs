using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Session;

/// <summary>The engine's log events; the daemon logs the one per-session summary itself.</summary>
internal static partial class SmtpSessionLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "SMTP session {SessionId}: {Verb} answered {Code}")]
    public static partial void Command(ILogger logger, string sessionId, string verb, int code);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "SMTP session {SessionId} failed")]
    public static partial void SessionFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "SMTP session {SessionId}: closing the connection did not complete cleanly")]
    public static partial void CloseFailed(ILogger logger, string sessionId, Exception exception);
}
