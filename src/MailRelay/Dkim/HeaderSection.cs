using System.Text;

namespace MailRelay.Dkim;

/// <summary>
/// Reads a message's header section from a stream (bounded), leaving the bytes read past it for the body.
/// The section ends at the first empty line (CRLF CRLF); a message without one is all header.
/// </summary>
internal sealed class HeaderSection
{
    private HeaderSection(IReadOnlyList<RawHeaderField> fields, ArraySegment<byte> bodyStart)
    {
        Fields = fields;
        BodyStart = bodyStart;
    }

    public IReadOnlyList<RawHeaderField> Fields { get; }

    /// <summary>Body bytes already read from the stream with the header section, in <c>buffer</c>.</summary>
    public ArraySegment<byte> BodyStart { get; }

    /// <summary>Reads the header section using <paramref name="buffer"/> as the read buffer.</summary>
    /// <exception cref="DkimMessageFormatException">A field has no colon, or the section exceeds <paramref name="maxBytes"/>.</exception>
    public static async Task<HeaderSection> ReadAsync(Stream message, byte[] buffer, int maxBytes, CancellationToken cancellationToken)
    {
        using var header = new MemoryStream();
        uint window = 0;
        long seen = 0;
        while (true)
        {
            var read = await message.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return new HeaderSection(SplitFields(header.GetBuffer().AsSpan(0, (int)header.Length)), ArraySegment<byte>.Empty);
            }

            for (var i = 0; i < read; i++)
            {
                window = (window << 8) | buffer[i];
                seen++;
                if ((seen == 2 && (window & 0xFFFF) == 0x0D0A) || (seen >= 4 && window == 0x0D0A0D0A))
                {
                    header.Write(buffer, 0, i + 1);
                    ThrowIfBeyond(header.Length, maxBytes);

                    // The empty line's CRLF separates the sections and belongs to neither.
                    var length = (int)header.Length - 2;
                    var fields = SplitFields(header.GetBuffer().AsSpan(0, length));
                    return new HeaderSection(fields, new ArraySegment<byte>(buffer, i + 1, read - i - 1));
                }
            }

            header.Write(buffer, 0, read);
            ThrowIfBeyond(header.Length, maxBytes);
        }
    }

    private static void ThrowIfBeyond(long length, int maxBytes)
    {
        if (length > maxBytes)
        {
            throw new DkimMessageFormatException($"The header section is larger than {maxBytes} bytes.");
        }
    }

    private static List<RawHeaderField> SplitFields(ReadOnlySpan<byte> section)
    {
        var fields = new List<RawHeaderField>();
        var fieldStart = 0;
        var lineStart = 0;
        while (lineStart < section.Length)
        {
            var lineEnd = section[lineStart..].IndexOf("\r\n"u8);
            var next = lineEnd < 0 ? section.Length : lineStart + lineEnd + 2;
            var nextIsContinuation = next < section.Length && section[next] is (byte)' ' or (byte)'\t';
            if (!nextIsContinuation)
            {
                fields.Add(ParseField(section[fieldStart..next]));
                fieldStart = next;
            }

            lineStart = next;
        }

        return fields;
    }

    private static RawHeaderField ParseField(ReadOnlySpan<byte> raw)
    {
        var colon = raw.IndexOf((byte)':');
        var firstLineEnd = raw.IndexOf("\r\n"u8);
        if (colon <= 0 || (firstLineEnd >= 0 && colon > firstLineEnd) || raw[0] is (byte)' ' or (byte)'\t')
        {
            throw new DkimMessageFormatException("A header line has no field name and colon.");
        }

        var name = Encoding.ASCII.GetString(raw[..colon]).TrimEnd(' ', '\t');
        return new RawHeaderField(name, raw.ToArray(), colon);
    }
}
