namespace MailRelay.Handoff;

/// <summary>A handoff could not begin or go on: the replica count is unknown, or the peer cannot take mail.</summary>
public sealed class HandoffException : Exception
{
    public HandoffException()
    {
    }

    public HandoffException(string message)
        : base(message)
    {
    }

    public HandoffException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
