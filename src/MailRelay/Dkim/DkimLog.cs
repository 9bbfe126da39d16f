namespace MailRelay.Dkim;

/// <summary>DKIM log events. Public keys and records are public data; private keys never appear.</summary>
internal static partial class DkimLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "DKIM key for {Domain} (selector {Selector}, {KeySize} bits) loaded from {PrivateKeyPath}")]
    public static partial void KeyLoaded(ILogger logger, string domain, string selector, int keySize, string privateKeyPath);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "Generated a new {KeySize}-bit DKIM key for {Domain} (selector {Selector}) in {PrivateKeyPath}; publish its record before mail is sent")]
    public static partial void KeyGenerated(ILogger logger, string domain, string selector, int keySize, string privateKeyPath);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "DKIM record to publish for {Domain}: {Record}")]
    public static partial void RecordToPublish(ILogger logger, string domain, string record);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "Could not write the DKIM record file {RecordPath} ({Reason}); publish the record from this log")]
    public static partial void RecordFileNotWritten(ILogger logger, string recordPath, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning,
        Message = "DKIM record file {RecordPath} had no private key beside it and was replaced; the published record must be updated")]
    public static partial void StaleRecordReplaced(ILogger logger, string recordPath);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information,
        Message = "DKIM signing is disabled (DKIM_ENABLED=false)")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Debug,
        Message = "Signed the message for {Domain} with selector {Selector}")]
    public static partial void Signed(ILogger logger, string domain, string selector);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Debug,
        Message = "Message not signed: no DKIM key for the From domain {FromDomain} nor the envelope domain {EnvelopeDomain}")]
    public static partial void NoKey(ILogger logger, string fromDomain, string envelopeDomain);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Debug,
        Message = "Message already carries our DKIM signature (d={Domain}, s={Selector}); not signed again")]
    public static partial void AlreadySigned(ILogger logger, string domain, string selector);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error,
        Message = "DKIM signing failed; the message goes out unsigned")]
    public static partial void SigningFailed(ILogger logger, Exception exception);
}
