using MimeKit;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Makes a message whose lines do not all fit the 998-octet limit deliverable to any next hop, before it is
/// signed: every leaf part with an over-long line and no transfer encoding of its own is re-encoded by
/// MimeKit (text as quoted-printable, which loses nothing: the decoded content is unchanged; other content
/// as MimeKit's <c>Prepare</c> chooses for that limit, quoted-printable or base64), and what still does not fit (an over-long header line, a preamble,
/// a part that already claims base64) is broken by <see cref="LineLimit.BreakLongLines"/>. The result is
/// the new message as CRLF bytes, held in memory (only such messages are rewritten; the rest go byte for byte).
/// </summary>
public static class LongLineRewriter
{
    private static readonly FormatOptions Format = CreateFormat();

    /// <summary>Reads the message from <paramref name="content"/> (at its first byte) and returns it rewritten.</summary>
    public static async Task<byte[]> RewriteAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var message = await MimeMessage.LoadAsync(content, persistent: false, cancellationToken).ConfigureAwait(false);
        Reencode(message);
        using var output = new MemoryStream();
        await message.WriteToAsync(Format, output, cancellationToken).ConfigureAwait(false);
        return LineLimit.BreakLongLines(output.GetBuffer().AsSpan(0, (int)output.Length));
    }

    private static void Reencode(MimeMessage message)
    {
        var changed = false;
        using var parts = new MimeIterator(message);
        while (parts.MoveNext())
        {
            if (parts.Current is MessagePart { Message: { } inner })
            {
                Reencode(inner);
            }
            else if (parts.Current is MimePart { Content: { } partContent } part
                && part.ContentTransferEncoding is not (ContentEncoding.Base64 or ContentEncoding.QuotedPrintable or ContentEncoding.UUEncode)
                && HasLongLine(partContent))
            {
                if (part is TextPart)
                {
                    part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
                }
                else
                {
                    part.Prepare(EncodingConstraint.EightBit, LineLimit.MaxLineLength);
                }

                changed = true;
            }
        }

        // A message without MIME headers (plain RFC 5322 text) needs MIME-Version for its new encoding to count.
        if (changed && !message.Headers.Contains(HeaderId.MimeVersion))
        {
            message.Headers.Add(HeaderId.MimeVersion, "1.0");
        }
    }

    private static bool HasLongLine(IMimeContent content)
    {
        using var stream = new MemoryStream();
        content.WriteTo(stream);
        return LineLimit.HasLongLine(stream.GetBuffer().AsSpan(0, (int)stream.Length));
    }

    private static FormatOptions CreateFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;

        // Headers that are written again keep their UTF-8 as it was; nothing is turned into encoded-words.
        options.International = true;
        return options;
    }
}
