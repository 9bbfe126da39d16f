namespace MailRelay.Queue.Segments;

/// <summary>No segment could be prepared (typically a disk too full for one): the message was not written anywhere.</summary>
public sealed class SegmentUnavailableException : IOException
{
    public SegmentUnavailableException()
    {
    }

    public SegmentUnavailableException(string message)
        : base(message)
    {
    }

    public SegmentUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal SegmentUnavailableException(Exception cause)
        : base($"No segment file can be prepared: {cause.Message}", cause)
    {
    }
}
