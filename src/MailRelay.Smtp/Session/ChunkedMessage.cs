using MailRelay.Smtp.Data;

namespace MailRelay.Smtp.Session;

/// <summary>A message arriving in BDAT chunks: its writer, and the filter and size state carried between chunks.</summary>
public sealed class ChunkedMessage
{
    public ChunkedMessage(IMessageWriter writer, SmtpServerOptions options)
    {
        Writer = writer;
        Filter = new ChunkContentFilter(options.BareNewline);
        Sink = new ContentSink(writer, options.MaxMessageSize);
    }

    public IMessageWriter Writer { get; }

    public ChunkContentFilter Filter { get; }

    public ContentSink Sink { get; }
}
