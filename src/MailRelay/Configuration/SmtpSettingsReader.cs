using MailRelay.Smtp.Session;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the inbound SMTP limits.</summary>
internal static class SmtpSettingsReader
{
    private static readonly Dictionary<string, BareNewlinePolicy> BareNewlineChoices = new()
    {
        ["reject"] = BareNewlinePolicy.Reject,
        ["normalize"] = BareNewlinePolicy.Normalize,
    };

    public static SmtpSettings Read(EnvironmentReader reader)
    {
        var maxRecipients = reader.ReadInteger(N.MaxRecipients, 1, 100_000);
        if (maxRecipients < 100)
        {
            reader.Warn(N.MaxRecipients, $"{maxRecipients} is below the 100 recipients RFC 5321 §4.5.3.1.8 asks a server to accept.");
        }

        var maxSessions = reader.ReadInteger(N.SmtpMaxSessions, 0, 1_000_000);
        var perClient = reader.ReadInteger(N.SmtpMaxSessionsPerClient, 0, 1_000_000);
        if (maxSessions > 0 && perClient > maxSessions)
        {
            reader.Warn(N.SmtpMaxSessionsPerClient, $"{perClient} is more than {N.SmtpMaxSessions} ({maxSessions}), so it never applies.");
        }

        return new SmtpSettings
        {
            MaxMessageSize = reader.ReadSize(N.MaxMessageSize, 1024, long.MaxValue),
            MaxRecipients = maxRecipients,
            BareNewline = reader.ReadChoice(N.SmtpBareNewline, BareNewlineChoices),
            MaxSessions = maxSessions,
            MaxSessionsPerClient = perClient,
            CommandTimeout = reader.ReadPositiveDuration(N.SmtpCommandTimeout),
            DataTimeout = reader.ReadPositiveDuration(N.SmtpDataTimeout),
            MinDataRate = (int)reader.ReadSize(N.SmtpMinDataRate, 0, int.MaxValue),
            SessionMaxDuration = reader.ReadPositiveDuration(N.SmtpSessionMaxDuration),
            MaxErrors = reader.ReadInteger(N.SmtpMaxErrors, 1, 1000),
        };
    }
}
