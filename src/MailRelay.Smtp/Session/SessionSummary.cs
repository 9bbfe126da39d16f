namespace MailRelay.Smtp.Session;

/// <summary>How a session ended.</summary>
public enum SessionOutcome
{
    Quit,
    ClientDisconnected,
    CommandTimeout,
    AuthTimeout,
    SessionTimeout,
    TlsTimeout,
    ProxyTimeout,
    DataTimeout,
    DataRateTooLow,
    TooManyErrors,
    Refused,
    ProxyHeaderRefused,
    ServerShutdown,
    TlsFailed,
    ProtocolViolation,
    Error,
}

/// <summary>The one log event per session: who, how long, what happened.</summary>
public sealed record SessionSummary(
    SessionOutcome Outcome,
    TimeSpan Duration,
    int Commands,
    int MessagesAccepted,
    int MessagesRefused,
    int RecipientsAccepted,
    int RecipientsRefused,
    long BytesReceived);
