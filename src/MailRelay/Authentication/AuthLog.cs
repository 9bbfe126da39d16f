namespace MailRelay.Authentication;

/// <summary>SMTP AUTH log events. Passwords and secrets never appear; user names are printable and bounded.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug,
        Message = "SMTP AUTH succeeded for {UserName} from {ClientAddress} (session {SessionId})")]
    public static partial void Succeeded(ILogger logger, string userName, string clientAddress, string sessionId);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
        Message = "SMTP AUTH failed for {UserName} from {ClientAddress} (session {SessionId}): {Reason}")]
    public static partial void Failed(ILogger logger, string userName, string clientAddress, string sessionId, string reason);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information,
        Message = "SMTP AUTH users loaded from {Path}: {UserCount} users")]
    public static partial void UsersLoaded(ILogger logger, string path, int userCount);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information,
        Message = "SMTP AUTH users reloaded from {Path}: {UserCount} users")]
    public static partial void UsersReloaded(ILogger logger, string path, int userCount);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Error,
        Message = "SMTP AUTH users file {Path} changed but is not valid; the previous users stay in force: {Problems}")]
    public static partial void ReloadFailed(ILogger logger, string path, string problems);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning,
        Message = "Cannot watch the SMTP AUTH users file {Path} for changes ({Reason}); it is still checked every {Interval}")]
    public static partial void WatchFailed(ILogger logger, string path, string reason, TimeSpan interval);
}
