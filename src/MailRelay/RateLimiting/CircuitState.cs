namespace MailRelay.RateLimiting;

public enum CircuitState
{
    /// <summary>Sending normally at the current delay.</summary>
    Closed,

    /// <summary>Paused: no attempts at all until the open period ends.</summary>
    Open,

    /// <summary>The open period ended: exactly one probe message may go.</summary>
    HalfOpen,
}
