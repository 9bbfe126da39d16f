namespace MailRelay.Inbound.Authentication;

/// <summary>Inbound verification log events.</summary>
internal static partial class InboundAuthenticationLog
{
    [LoggerMessage(EventId = 9451, Level = LogLevel.Information,
        Message = "Inbound verification of {Client} MAIL FROM <{MailFrom}>: spf={Spf} dkim={Dkim} dmarc={Dmarc} from={FromDomain} policy={Policy} action={Action}")]
    public static partial void Verdict(
        ILogger logger, System.Net.IPAddress client, string mailFrom, string spf, string dkim, string dmarc, string fromDomain, string policy, string action);

    [LoggerMessage(EventId = 9452, Level = LogLevel.Warning,
        Message = "Inbound verification: the message could not be read ({Problem}); DKIM and DMARC are recorded as permerror")]
    public static partial void Unreadable(ILogger logger, string problem);
}
