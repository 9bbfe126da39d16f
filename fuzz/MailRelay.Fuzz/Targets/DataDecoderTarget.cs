using MailRelay.Smtp.Data;
using MailRelay.Smtp.Session;

namespace MailRelay.Fuzz.Targets;

/// <summary>
/// DATA and BDAT content. The first byte picks the policy and how the rest is cut into chunks; then:
/// the DATA decoder and the BDAT filter give the same content, end and flags however the input is cut
/// (whole, at fuzz-chosen points, byte by byte); dot-stuffing any content and decoding it gives the
/// content back; and on input without bare CR or LF the decoder matches a line-by-line reading of
/// RFC 5321 §4.5.2, and the BDAT filter passes clean input through unchanged.
/// </summary>
internal static class DataDecoderTarget
{
    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var control = input[0];
        var policy = (control & 1) == 0 ? BareNewlinePolicy.Reject : BareNewlinePolicy.Normalize;
        var data = input.AsSpan(1).ToArray();
        var cuts = Cuts(data.Length, control >> 1);

        var whole = Decode(data, policy, []);
        Invariant.Equal(whole, Decode(data, policy, cuts), "DATA: cut at chosen points, same result");
        Invariant.Equal(whole, Decode(data, policy, [.. Enumerable.Range(1, Math.Max(0, data.Length - 1))]), "DATA: byte by byte, same result");
        CheckAgainstLines(data, whole);
        CheckRoundTrip(data, policy, cuts);

        var chunked = Filter(data, policy, []);
        Invariant.Equal(chunked, Filter(data, policy, cuts), "BDAT: cut at chosen points, same result");
        Invariant.Equal(chunked, Filter(data, policy, [.. Enumerable.Range(1, Math.Max(0, data.Length - 1))]), "BDAT: byte by byte, same result");
        CheckFilterReference(data, chunked);
    }

    /// <summary>Cut points from a 7-bit seed: every n bytes, where n is 1 + seed.</summary>
    private static int[] Cuts(int length, int seed)
    {
        var step = 1 + seed;
        return [.. Enumerable.Range(1, Math.Max(0, (length - 1) / step)).Select(i => i * step).Where(c => c < length)];
    }

    private static Decoded Decode(byte[] data, BareNewlinePolicy policy, int[] cuts)
    {
        var decoder = new DotStuffedDataDecoder(policy);
        var output = new List<byte>();
        var consumed = 0;
        var start = 0;
        foreach (var end in cuts.Append(data.Length))
        {
            var chunk = data.AsSpan(start, end - start);
            var offset = 0;
            while (offset < chunk.Length && !decoder.IsComplete)
            {
                var step = decoder.Next(chunk[offset..]);
                Invariant.Holds(step.Consumed > 0 && step.Consumed <= chunk.Length - offset, "DATA: each step consumes input and no more than given");
                Invariant.Holds(step.EmitStart >= 0 && step.EmitLength >= 0 && step.EmitStart + step.EmitLength <= step.Consumed, "DATA: content lies within the consumed input");
                output.AddRange(chunk.Slice(offset + step.EmitStart, step.EmitLength));
                if (step.AppendLineBreak)
                {
                    output.AddRange("\r\n"u8);
                }

                offset += step.Consumed;
            }

            consumed += offset;
            if (decoder.IsComplete)
            {
                break;
            }

            start = end;
        }

        return new Decoded(Convert.ToHexString([.. output]), decoder.IsComplete, consumed, decoder.SawBareCarriageReturn, decoder.SawBareLineFeed, decoder.RefusedForBareNewline);
    }

    private static Decoded Filter(byte[] data, BareNewlinePolicy policy, int[] cuts)
    {
        var filter = new ChunkContentFilter(policy);
        var output = new List<byte>();
        var start = 0;
        foreach (var end in cuts.Append(data.Length))
        {
            var chunk = data.AsSpan(start, end - start);
            var offset = 0;
            while (offset < chunk.Length)
            {
                var step = filter.Next(chunk[offset..]);
                Invariant.Holds(step.Consumed > 0 && step.Consumed <= chunk.Length - offset, "BDAT: each step consumes input and no more than given");
                Invariant.Holds(step.EmitStart >= 0 && step.EmitLength >= 0 && step.EmitStart + step.EmitLength <= step.Consumed, "BDAT: content lies within the consumed input");
                output.AddRange(chunk.Slice(offset + step.EmitStart, step.EmitLength));
                if (step.AppendLineBreak)
                {
                    output.AddRange("\r\n"u8);
                }

                offset += step.Consumed;
            }

            start = end;
        }

        filter.Finish();
        return new Decoded(Convert.ToHexString([.. output]), true, data.Length, filter.SawBareCarriageReturn, filter.SawBareLineFeed, filter.RefusedForBareNewline);
    }

    /// <summary>Without bare CR or LF the content is the lines up to the lone ".", each with one leading dot removed.</summary>
    private static void CheckAgainstLines(byte[] data, Decoded decoded)
    {
        var output = new List<byte>();
        var position = 0;
        var complete = false;
        while (true)
        {
            var lineEnd = data.AsSpan(position).IndexOf("\r\n"u8);
            var line = data.AsSpan(position, lineEnd < 0 ? data.Length - position : lineEnd);
            if (line.Contains((byte)'\r') || line.Contains((byte)'\n'))
            {
                return;
            }

            if (lineEnd < 0)
            {
                // An unfinished last line: its content so far, a leading dot held back.
                output.AddRange(line.Length > 0 && line[0] == (byte)'.' ? line[1..] : line);
                position = data.Length;
                break;
            }

            position += lineEnd + 2;
            if (line.SequenceEqual("."u8))
            {
                complete = true;
                break;
            }

            output.AddRange(line.Length > 0 && line[0] == (byte)'.' ? line[1..] : line);
            output.AddRange("\r\n"u8);
        }

        Invariant.Equal(complete, decoded.Complete, "DATA: ends exactly at CRLF.CRLF");
        Invariant.Equal(position, decoded.Consumed, "DATA: consumes exactly up to the end marker");
        Invariant.Equal(Convert.ToHexString([.. output]), decoded.Content, "DATA: content is the unstuffed lines");
        Invariant.Holds(!decoded.BareCr && !decoded.BareLf, "DATA: clean input raises no bare line end");
    }

    /// <summary>Any content, made CRLF-clean and dot-stuffed with the end marker appended, decodes to itself.</summary>
    private static void CheckRoundTrip(byte[] data, BareNewlinePolicy policy, int[] cuts)
    {
        var content = new List<byte>();
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == (byte)'\r' && i + 1 < data.Length && data[i + 1] == (byte)'\n')
            {
                content.AddRange("\r\n"u8);
                i++;
            }
            else if (data[i] is (byte)'\r' or (byte)'\n')
            {
                content.AddRange("\r\n"u8);
            }
            else
            {
                content.Add(data[i]);
            }
        }

        if (content.Count > 0 && !(content.Count >= 2 && content[^2] == '\r' && content[^1] == '\n'))
        {
            content.AddRange("\r\n"u8);
        }

        var stuffed = new List<byte>();
        var lineStart = true;
        foreach (var b in content)
        {
            if (lineStart && b == (byte)'.')
            {
                stuffed.Add((byte)'.');
            }

            stuffed.Add(b);
            lineStart = b == (byte)'\n';
        }

        stuffed.AddRange(".\r\n"u8);
        var encoded = stuffed.ToArray();
        var decoded = Decode(encoded, policy, cuts.Where(c => c < encoded.Length).ToArray());
        Invariant.Holds(decoded.Complete, "round trip: the end marker ends the data");
        Invariant.Equal(encoded.Length, decoded.Consumed, "round trip: all of the stuffed data is consumed");
        Invariant.Equal(Convert.ToHexString([.. content]), decoded.Content, "round trip: decode(stuff(x)) == x");
        Invariant.Holds(!decoded.BareCr && !decoded.BareLf, "round trip: no bare line end");
    }

    /// <summary>BDAT passes content through, a bare LF stored as CRLF; a CR not followed by LF is flagged.</summary>
    private static void CheckFilterReference(byte[] data, Decoded filtered)
    {
        var output = new List<byte>();
        var bareCr = false;
        var bareLf = false;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == (byte)'\n' && (i == 0 || data[i - 1] != (byte)'\r'))
            {
                bareLf = true;
                output.AddRange("\r\n"u8);
                continue;
            }

            if (data[i] == (byte)'\r' && (i + 1 == data.Length || data[i + 1] != (byte)'\n'))
            {
                bareCr = true;
            }

            output.Add(data[i]);
        }

        Invariant.Equal(Convert.ToHexString([.. output]), filtered.Content, "BDAT: content passes through, bare LF as CRLF");
        Invariant.Equal(bareCr, filtered.BareCr, "BDAT: bare CR flagged exactly when present");
        Invariant.Equal(bareLf, filtered.BareLf, "BDAT: bare LF flagged exactly when present");
    }

    private readonly record struct Decoded(string Content, bool Complete, int Consumed, bool BareCr, bool BareLf, bool Refused);
}
