namespace MailRelay.Policy.Senders;

/// <summary>The outcome of matching an address against a <see cref="SenderList"/>.</summary>
public enum SenderMatch
{
    NoMatch,
    Match,

    /// <summary>A regular expression ran out of time; callers refuse, so a slow pattern never lets mail through.</summary>
    TimedOut,
}
