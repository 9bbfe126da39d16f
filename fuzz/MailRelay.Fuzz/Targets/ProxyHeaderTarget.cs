using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Fuzz.Targets;

/// <summary>
/// PROXY v1/v2 headers: the parser reads only the header (bytes after it change nothing), answers every
/// prefix of the input consistently with the whole (Incomplete until the header is whole, never Invalid for
/// the start of a valid header), gives the same answer for input split into segments, and a v1 header
/// written back from its parsed addresses parses to the same addresses.
/// </summary>
internal static class ProxyHeaderTarget
{
    public static void Run(byte[] input)
    {
        var result = ProxyHeaderParser.Parse(input.AsSpan());
        Invariant.Holds(Enum.IsDefined(result.Status), "the status is a declared ProxyParseStatus");
        Invariant.Holds(result.IsInvalid == (result.Reason is not null), "a reason exactly when invalid");
        Invariant.Holds(result.IsHeader == (result.Header is not null), "a header exactly when parsed");
        if (result.Status == ProxyParseStatus.Incomplete)
        {
            Invariant.Holds(input.Length < ProxyHeaderParser.MaxHeaderLength, "no header is incomplete after the longest header");
        }

        if (result.IsHeader)
        {
            CheckHeader(input, result);
        }

        CheckPrefixes(input, result);
        CheckSegments(input, result);
    }

    private static void CheckHeader(byte[] input, ProxyParseResult result)
    {
        var header = result.Header!;
        Invariant.Holds(header.Length > 0 && header.Length <= input.Length, "the header length is within the input");
        Invariant.Holds(header.Version is 1 or 2, "version 1 or 2");
        Invariant.Holds((header.Source is null) == (header.Destination is null), "both addresses or neither");
        if (header.HasAddresses)
        {
            Invariant.Equal(header.Source!.AddressFamily, header.Destination!.AddressFamily, "source and destination of one family");
            Invariant.Holds(header.Source.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6, "TCP over IPv4 or IPv6");
        }

        var exact = ProxyHeaderParser.Parse(input.AsSpan(0, header.Length));
        Invariant.Equal(result, exact, "the bytes after the header change nothing");
        var extended = ProxyHeaderParser.Parse([.. input.AsSpan(0, header.Length), .. "EHLO x\r\n"u8]);
        Invariant.Equal(result, extended, "other bytes after the header change nothing");

        if (header.Version == 1)
        {
            Invariant.Holds(header.Length <= ProxyHeaderParser.MaxV1Length, "a v1 header fits in 107 bytes");
            Invariant.Holds(input[header.Length - 2] == '\r' && input[header.Length - 1] == '\n', "a v1 header ends in CRLF");
            Invariant.Holds(!header.IsLocal, "v1 has no LOCAL command");
            if (header.HasAddresses)
            {
                var protocol = header.Source!.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
                var text = string.Create(
                    CultureInfo.InvariantCulture,
                    $"PROXY {protocol} {header.Source.Address} {header.Destination!.Address} {header.Source.Port} {header.Destination.Port}\r\n");
                var again = ProxyHeaderParser.Parse(Encoding.ASCII.GetBytes(text));
                Invariant.Holds(again.IsHeader, $"the v1 header written back ({text.TrimEnd()}) parses: {again}");
                Invariant.Equal(header.Source, again.Header.Source, "written back: same source");
                Invariant.Equal(header.Destination, again.Header.Destination, "written back: same destination");
            }
        }
        else
        {
            Invariant.Equal(
                ProxyHeaderParser.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(14, 2)),
                header.Length,
                "a v2 header is 16 bytes plus its length field");
            Invariant.Holds(!header.IsLocal || !header.HasAddresses, "LOCAL keeps the real endpoints");
            if (header.HasAddresses)
            {
                var v6 = header.Source!.AddressFamily == AddressFamily.InterNetworkV6;
                var size = v6 ? 16 : 4;
                var payload = input.AsSpan(ProxyHeaderParser.V2FixedLength);
                Invariant.Holds(header.Source.Address.Equals(new IPAddress(payload[..size])), "v2 source address as sent");
                Invariant.Equal(BinaryPrimitives.ReadUInt16BigEndian(payload[(2 * size)..]), (ushort)header.Source.Port, "v2 source port as sent");
            }
        }
    }

    private static void CheckPrefixes(byte[] input, ProxyParseResult whole)
    {
        var limit = Math.Min(input.Length, ProxyHeaderParser.MaxHeaderLength + 1);
        for (var length = 0; length < limit; length++)
        {
            var prefix = ProxyHeaderParser.Parse(input.AsSpan(0, length));
            switch (whole.Status)
            {
                case ProxyParseStatus.Header when length < whole.Header!.Length:
                case ProxyParseStatus.Incomplete:
                    Invariant.Equal(ProxyParseStatus.Incomplete, prefix.Status, $"a {length}-byte prefix of an incomplete or valid header is incomplete");
                    break;
                case ProxyParseStatus.Header:
                    Invariant.Equal(whole, prefix, $"a {length}-byte prefix holding the whole header parses the same");
                    break;
                default:
                    Invariant.Holds(prefix.Status != ProxyParseStatus.Header, $"a {length}-byte prefix of an invalid header is not a header");
                    break;
            }
        }
    }

    private static void CheckSegments(byte[] input, ProxyParseResult whole)
    {
        if (input.Length < 2)
        {
            return;
        }

        // Split at a point chosen by the input's last byte, and into single bytes.
        var split = 1 + (input[^1] % (input.Length - 1));
        Invariant.Equal(whole, ProxyHeaderParser.Parse(Segments(input, [split])), $"split at {split}: same result");
        var everyByte = Enumerable.Range(1, Math.Min(input.Length, ProxyHeaderParser.MaxHeaderLength + 8) - 1).ToArray();
        Invariant.Equal(whole, ProxyHeaderParser.Parse(Segments(input, everyByte)), "split into single bytes: same result");
    }

    private static ReadOnlySequence<byte> Segments(byte[] input, int[] splits)
    {
        var first = new Segment(input.AsMemory(0, splits[0]), 0);
        var last = first;
        for (var i = 0; i < splits.Length; i++)
        {
            var end = i + 1 < splits.Length ? splits[i + 1] : input.Length;
            last = last.Append(input.AsMemory(splits[i], end - splits[i]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
