namespace MailRelay.Tls;

/// <summary>Log events of the server certificate (TLS_CERT_FILE / TLS_KEY_FILE).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "TLS certificate loaded from {CertificateFile}: {Subject}, valid until {NotAfter:u}")]
    public static partial void Loaded(ILogger logger, string certificateFile, string subject, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information,
        Message = "TLS certificate reloaded from {CertificateFile}: {Subject}, valid until {NotAfter:u}; new sessions use it")]
    public static partial void Reloaded(ILogger logger, string certificateFile, string subject, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error,
        Message = "TLS certificate files changed but cannot be used; the previous certificate stays in force: {Problem}")]
    public static partial void ReloadFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning,
        Message = "Cannot watch {Directory} for certificate changes ({Reason}); the files are still checked every {Interval}")]
    public static partial void WatchFailed(ILogger logger, string directory, string reason, TimeSpan interval);
}
