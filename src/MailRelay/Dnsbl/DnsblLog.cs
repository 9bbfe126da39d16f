namespace MailRelay.Dnsbl;

/// <summary>Blocklist monitor log events.</summary>
internal static partial class DnsblLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Information,
        Message = "Blocklists: checking addresses {Addresses} on {IpLists} and domains {Domains} on {DomainLists} every {Interval}")]
    public static partial void Started(ILogger logger, string addresses, string ipLists, string domains, string domainLists, TimeSpan interval);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "Blocklists: not checked: {Reason}")]
    public static partial void Off(ILogger logger, string reason);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning,
        Message = "Blocklists: {Target} is LISTED on {List} (answer {Answer}): {Reason}")]
    public static partial void Listed(ILogger logger, string target, string list, string answer, string reason);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Information,
        Message = "Blocklists: {Target} is no longer listed on {List}")]
    public static partial void Delisted(ILogger logger, string target, string list);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Warning,
        Message = "Blocklists: {Count} checks gave no answer this time ({Detail}); their last known state stands")]
    public static partial void Errors(ILogger logger, int count, string detail);

    [LoggerMessage(EventId = 9106, Level = LogLevel.Warning,
        Message = "Blocklists: the sending addresses are unknown this time, so no IP list was asked: {Problem}")]
    public static partial void AddressUnknown(ILogger logger, string problem);

    [LoggerMessage(EventId = 9107, Level = LogLevel.Information,
        Message = "Blocklists: {Checks} checks, {Listed} listed, {Errors} without an answer")]
    public static partial void Checked(ILogger logger, int checks, int listed, int errors);
}
