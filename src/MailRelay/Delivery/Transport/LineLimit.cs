using System.Buffers;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// The line length limit of RFC 5322 §2.1.1 (998 octets before CRLF), which strict next hops enforce: a
/// cheap scan over the stored bytes that tells whether any line is longer, and the last resort for lines
/// that MIME re-encoding cannot shorten, as Postfix's <c>smtp_line_length_limit</c> does it. A line that starts
/// with a dot gains one on the wire (RFC 5321 §4.5.2 transparency), so it may hold one octet less.
/// </summary>
public static class LineLimit
{
    /// <summary>The most octets a line may hold, not counting its CRLF.</summary>
    public const int MaxLineLength = 998;

    /// <summary>Whether some line of <paramref name="content"/> is longer than <see cref="MaxLineLength"/>.</summary>
    public static bool HasLongLine(ReadOnlySpan<byte> content)
    {
        var scan = default(Scan);
        scan.Append(content);
        return scan.Found;
    }

    /// <summary>
    /// Reads <paramref name="content"/> from its current position to its end and says whether some line is
    /// longer than <see cref="MaxLineLength"/>; stops reading as soon as one is.
    /// </summary>
    public static async Task<bool> HasLongLineAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var scan = default(Scan);
            int read;
            while (!scan.Found && (read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                scan.Append(buffer.AsSpan(0, read));
            }

            return scan.Found;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Breaks every line longer than <see cref="MaxLineLength"/>: at its last space or tab that leaves a
    /// non-empty first piece (a CRLF before the white space: in a header field that is folding, which loses
    /// nothing), or, where there is none, with CRLF SPACE at the limit, which base64 decoders skip and which
    /// does least harm to anything else. Lines that fit are copied unchanged.
    /// </summary>
    public static byte[] BreakLongLines(ReadOnlySpan<byte> content)
    {
        var output = new ArrayBufferWriter<byte>(content.Length + (content.Length / MaxLineLength * 3) + 16);
        while (!content.IsEmpty)
        {
            var newline = content.IndexOf((byte)'\n');
            var line = newline < 0 ? content : content[..(newline + 1)];
            content = content[line.Length..];
            var ending = line.EndsWith("\r\n"u8) ? 2 : line.EndsWith("\n"u8) ? 1 : 0;
            var text = line[..^ending];

            // After an inserted CRLF SPACE the next line already holds that space.
            var room = RoomFor(text);
            while (text.Length > room)
            {
                var space = text[1..(room + 1)].LastIndexOfAny((byte)' ', (byte)'\t') + 1;
                if (space > 0)
                {
                    output.Write(text[..space]);
                    output.Write("\r\n"u8);
                    text = text[space..];
                    room = RoomFor(text);
                }
                else
                {
                    output.Write(text[..room]);
                    output.Write("\r\n "u8);
                    text = text[room..];
                    room = MaxLineLength - 1;
                }
            }

            output.Write(text);
            output.Write(line[^ending..]);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The octets a line may hold before its CRLF: one less when the dot it starts with will be doubled.</summary>
    private static int RoomFor(ReadOnlySpan<byte> line) => !line.IsEmpty && line[0] == (byte)'.' ? MaxLineLength - 1 : MaxLineLength;

    /// <summary>Line lengths across buffers: the octets of the line being read, and whether one was too long.</summary>
    private struct Scan
    {
        private int _current;
        private bool _endsWithCr;
        private int _limit;

        public bool Found { get; private set; }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            while (!Found && !bytes.IsEmpty)
            {
                if (_current == 0)
                {
                    _limit = RoomFor(bytes);
                }

                var newline = bytes.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _current += bytes.Length;
                    _endsWithCr = bytes[^1] == (byte)'\r';

                    // A CR may still be followed by its LF: only more than the limit and a CR is certainly too long.
                    Found = _current > _limit + (_endsWithCr ? 1 : 0);
                    return;
                }

                var crBefore = newline > 0 ? bytes[newline - 1] == (byte)'\r' : _endsWithCr;
                Found = _current + newline - (crBefore ? 1 : 0) > _limit;
                _current = 0;
                _endsWithCr = false;
                bytes = bytes[(newline + 1)..];
            }
        }
    }
}
