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

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "SMTP session {SessionId}: AUTH {Mechanism} succeeded for {UserName}")]
    public static partial void AuthSucceeded(ILogger logger, string sessionId, string mechanism, string userName);

    // The user name is left out on purpose: clients sometimes send the password in its place.
    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "SMTP session {SessionId}: AUTH {Mechanism} failed")]
    public static partial void AuthFailed(ILogger logger, string sessionId, string mechanism);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "SMTP session {SessionId}: the authenticator failed")]
    public static partial void AuthenticatorFailed(ILogger logger, string sessionId, Exception exception);
}
