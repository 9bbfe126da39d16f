namespace MailRelay.DnsPublishing;

/// <summary>The end of one publishing run: its result, or the failure that ended it.</summary>
public sealed class DnsRunEventArgs(DnsPublishResult? result, Exception? failure) : EventArgs
{
    public DnsPublishResult? Result { get; } = result;

    public Exception? Failure { get; } = failure;
}
