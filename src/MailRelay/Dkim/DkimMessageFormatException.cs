namespace MailRelay.Dkim;

/// <summary>The stored message's header section cannot be signed (malformed, or larger than the bound).</summary>
public sealed class DkimMessageFormatException : Exception
{
    public DkimMessageFormatException()
    {
    }

    public DkimMessageFormatException(string message)
        : base(message)
    {
    }

    public DkimMessageFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
