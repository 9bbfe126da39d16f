using MailRelay.Smtp.Session;

namespace MailRelay.Configuration;

/// <summary>The limits and switches of the inbound SMTP server.</summary>
public sealed record SmtpSettings
{
    /// <summary>MAX_MESSAGE_SIZE: largest message in octets, advertised with SIZE.</summary>
    public required long MaxMessageSize { get; init; }

    /// <summary>MAX_RECIPIENTS: recipients per message.</summary>
    public required int MaxRecipients { get; init; }

    /// <summary>SMTP_BARE_NEWLINE.</summary>
    public required BareNewlinePolicy BareNewline { get; init; }

    /// <summary>SMTP_MAX_SESSIONS: concurrent sessions in total; 0 = unlimited.</summary>
    public required int MaxSessions { get; init; }

    /// <summary>SMTP_MAX_SESSIONS_PER_CLIENT: concurrent sessions per client address; 0 = unlimited.</summary>
    public required int MaxSessionsPerClient { get; init; }

    /// <summary>
    /// SMTP_COMMAND_TIMEOUT: time for the first byte of a command and, from it, for the whole line; also the
    /// bound on one AUTH exchange and (up to 30 s) on the TLS handshake.
    /// </summary>
    public required TimeSpan CommandTimeout { get; init; }

    /// <summary>SMTP_DATA_TIMEOUT: idle time allowed between reads inside DATA or BDAT.</summary>
    public required TimeSpan DataTimeout { get; init; }

    /// <summary>SMTP_MIN_DATA_RATE: bytes per second during DATA/BDAT; 0 = no minimum.</summary>
    public required int MinDataRate { get; init; }

    /// <summary>SMTP_SESSION_MAX_DURATION: the longest a session may last; checked between commands.</summary>
    public required TimeSpan SessionMaxDuration { get; init; }

    /// <summary>SMTP_MAX_ERRORS: consecutive failed commands before the session is closed.</summary>
    public required int MaxErrors { get; init; }
}
