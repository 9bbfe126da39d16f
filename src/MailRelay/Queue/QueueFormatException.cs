namespace MailRelay.Queue;

/// <summary>A queue file that this version cannot interpret: corrupt, foreign, or of a newer format.</summary>
internal sealed class QueueFormatException : Exception
{
    public QueueFormatException()
    {
    }

    public QueueFormatException(string message)
        : base(message)
    {
    }

    public QueueFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
