using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Data;

/// <summary>
/// Where decoded message content goes: the handler's writer while the message is still acceptable,
/// nowhere once it is too big or refused. Counts every decoded octet either way.
/// </summary>
public sealed class ContentSink
{
    private readonly IMessageWriter? writer;
    private readonly long maxSize;

    public ContentSink(IMessageWriter? writer, long maxSize)
    {
        this.writer = writer;
        this.maxSize = maxSize;
    }

    /// <summary>Decoded octets received, including those discarded.</summary>
    public long Length { get; private set; }

    public bool TooBig { get; private set; }

    /// <summary>Set when the content will be refused anyway: stop passing it on.</summary>
    public bool Discarding { get; set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (content.IsEmpty)
        {
            return;
        }

        Length += content.Length;
        if (Length > maxSize)
        {
            TooBig = true;
        }

        if (writer is null || TooBig || Discarding)
        {
            return;
        }

        await writer.WriteAsync(content, cancellationToken);
    }
}
