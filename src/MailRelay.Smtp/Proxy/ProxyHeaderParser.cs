using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace MailRelay.Smtp.Proxy;

/// <summary>
/// Parses a HAProxy PROXY protocol header (version 1 text or version 2 binary) from the start of a
/// connection's input. It reads only as far as the header needs and reports the header's exact length,
/// so the caller consumes the header and nothing after it. Every rule that the specification leaves to
/// the receiver is resolved towards refusal: a header that is not exactly well formed is invalid.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The longest v1 header the specification allows, CRLF included.</summary>
    public const int MaxV1Length = 107;

    /// <summary>The fixed part of a v2 header: signature, version/command, family, length.</summary>
    public const int V2FixedLength = 16;

    /// <summary>
    /// The largest v2 address-and-TLV block accepted (the header's length field). The largest address
    /// block (AF_UNIX) is 216 bytes and every TLV that HAProxy and the cloud load balancers document
    /// (authority and ALPN up to 255 each, unique id up to 128, the SSL group, CRC32C, NETNS, the AWS,
    /// Azure and GCP identifiers) fits in the rest even when all are sent at once. The 65535 bytes the
    /// field could claim would let a peer make us hold and wait for 64 KiB before the session starts.
    /// </summary>
    public const int MaxV2PayloadLength = 2048;

    /// <summary>The longest header this parser ever needs to look at.</summary>
    public const int MaxHeaderLength = V2FixedLength + MaxV2PayloadLength;

    private const int UnixAddressBlockLength = 216;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Parses the header at the start of <paramref name="buffer"/>; bytes after it are ignored.</summary>
    public static ProxyParseResult Parse(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            return Parse(buffer.FirstSpan);
        }

        // Copying the bounded prefix makes multi-segment input parse exactly like contiguous input.
        Span<byte> copy = stackalloc byte[MaxHeaderLength];
        var length = (int)Math.Min(buffer.Length, MaxHeaderLength);
        buffer.Slice(0, length).CopyTo(copy);
        return Parse(copy[..length]);
    }

    /// <summary>Parses the header at the start of <paramref name="data"/>; bytes after it are ignored.</summary>
    public static ProxyParseResult Parse(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return ProxyParseResult.Incomplete;
        }

        return data[0] switch
        {
            (byte)'P' => ParseV1(data),
            0x0D => ParseV2(data),
            _ => ProxyParseResult.Invalid("not a PROXY protocol header"),
        };
    }

    private static ProxyParseResult ParseV1(ReadOnlySpan<byte> data)
    {
        var prefixLength = Math.Min(data.Length, V1Prefix.Length);
        if (!data[..prefixLength].SequenceEqual(V1Prefix[..prefixLength]))
        {
            return ProxyParseResult.Invalid("not a PROXY protocol header");
        }

        var scanLength = Math.Min(data.Length, MaxV1Length);
        for (var i = 0; i < scanLength; i++)
        {
            var b = data[i];
            if (b == (byte)'\n')
            {
                if (i == 0 || data[i - 1] != (byte)'\r')
                {
                    return ProxyParseResult.Invalid("v1 header line does not end in CRLF");
                }

                return ParseV1Line(data[V1Prefix.Length..(i - 1)], i + 1);
            }

            if (b == (byte)'\r')
            {
                if (i + 1 < data.Length && data[i + 1] != (byte)'\n')
                {
                    return ProxyParseResult.Invalid("v1 header has a CR not followed by LF");
                }
            }
            else if (b is < 0x20 or > 0x7E)
            {
                return ProxyParseResult.Invalid("v1 header has a non-printable byte");
            }
        }

        return data.Length >= MaxV1Length
            ? ProxyParseResult.Invalid("v1 header has no CRLF within 107 bytes")
            : ProxyParseResult.Incomplete;
    }

    /// <summary>Parses what follows "PROXY " up to (not including) the CRLF.</summary>
    private static ProxyParseResult ParseV1Line(ReadOnlySpan<byte> rest, int headerLength)
    {
        if (rest.SequenceEqual("UNKNOWN"u8) || rest.StartsWith("UNKNOWN "u8))
        {
            // The specification lets the sender put anything after UNKNOWN; the receiver ignores it.
            return ProxyParseResult.Parsed(new ProxyHeader(1, false, null, null, headerLength));
        }

        bool isV6;
        if (rest.StartsWith("TCP4 "u8))
        {
            isV6 = false;
        }
        else if (rest.StartsWith("TCP6 "u8))
        {
            isV6 = true;
        }
        else
        {
            return ProxyParseResult.Invalid("v1 header has an unknown protocol");
        }

        Span<Range> fields = stackalloc Range[5];
        var fieldsText = rest["TCP4 ".Length..];
        if (SplitFields(fieldsText, (byte)' ', fields) != 4)
        {
            return ProxyParseResult.Invalid("v1 header does not have exactly four fields");
        }

        var source = isV6 ? ParseV1IPv6(fieldsText[fields[0]]) : ParseV1IPv4(fieldsText[fields[0]]);
        var destination = isV6 ? ParseV1IPv6(fieldsText[fields[1]]) : ParseV1IPv4(fieldsText[fields[1]]);
        if (source is null || destination is null)
        {
            return ProxyParseResult.Invalid("v1 header has an address that is not of the declared family");
        }

        if (!TryParseV1Port(fieldsText[fields[2]], out var sourcePort) || !TryParseV1Port(fieldsText[fields[3]], out var destinationPort))
        {
            return ProxyParseResult.Invalid("v1 header has a port that is not a plain decimal 0 to 65535");
        }

        return ProxyParseResult.Parsed(new ProxyHeader(
            1,
            false,
            new IPEndPoint(source, sourcePort),
            new IPEndPoint(destination, destinationPort),
            headerLength));
    }

    /// <summary>Dotted quad only: four decimal octets, no leading zeros (which some stacks read as octal).</summary>
    private static IPAddress? ParseV1IPv4(ReadOnlySpan<byte> text)
    {
        Span<byte> octets = stackalloc byte[4];
        Span<Range> parts = stackalloc Range[5];
        if (SplitFields(text, (byte)'.', parts) != 4)
        {
            return null;
        }

        for (var i = 0; i < 4; i++)
        {
            if (!TryParsePlainDecimal(text[parts[i]], 3, out var value) || value > 255)
            {
                return null;
            }

            octets[i] = (byte)value;
        }

        return new IPAddress(octets);
    }

    private static IPAddress? ParseV1IPv6(ReadOnlySpan<byte> text)
    {
        // Longest textual IPv6 address (with an embedded IPv4 part) is 45 characters; scope ids are refused.
        if (text.IsEmpty || text.Length > 45)
        {
            return null;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = (char)text[i];
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
            {
                return null;
            }

            chars[i] = c;
        }

        return IPAddress.TryParse(chars, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? address
            : null;
    }

    /// <summary>
    /// Splits on every separator (empty fields included, so a doubled separator is visible) and returns
    /// the number of fields, or <c>ranges.Length</c> when there are at least that many.
    /// </summary>
    private static int SplitFields(ReadOnlySpan<byte> text, byte separator, Span<Range> ranges)
    {
        var count = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == separator)
            {
                ranges[count++] = new Range(start, i);
                if (count == ranges.Length)
                {
                    return count;
                }

                start = i + 1;
            }
        }

        return count;
    }

    private static bool TryParseV1Port(ReadOnlySpan<byte> text, out int port) =>
        TryParsePlainDecimal(text, 5, out port) && port <= 65535;

    /// <summary>1 to <paramref name="maxDigits"/> decimal digits, no sign, no leading zero unless the value is "0".</summary>
    private static bool TryParsePlainDecimal(ReadOnlySpan<byte> text, int maxDigits, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > maxDigits || (text.Length > 1 && text[0] == (byte)'0'))
        {
            return false;
        }

        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static ProxyParseResult ParseV2(ReadOnlySpan<byte> data)
    {
        var signatureLength = Math.Min(data.Length, V2Signature.Length);
        if (!data[..signatureLength].SequenceEqual(V2Signature[..signatureLength]))
        {
            return ProxyParseResult.Invalid("not a PROXY protocol header");
        }

        if (data.Length <= 12)
        {
            return ProxyParseResult.Incomplete;
        }

        var versionCommand = data[12];
        if (versionCommand >> 4 != 2)
        {
            return ProxyParseResult.Invalid("v2 header has an unsupported version");
        }

        var command = versionCommand & 0x0F;
        if (command > 1)
        {
            return ProxyParseResult.Invalid("v2 header has an unknown command");
        }

        var isLocal = command == 0;
        if (data.Length <= 13)
        {
            return ProxyParseResult.Incomplete;
        }

        var addressFamily = data[13] >> 4;
        var transport = data[13] & 0x0F;
        if (!isLocal && (addressFamily > 3 || transport > 2))
        {
            return ProxyParseResult.Invalid("v2 header has an unknown address family or transport");
        }

        if (data.Length < V2FixedLength)
        {
            return ProxyParseResult.Incomplete;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(data[14..16]);
        if (payloadLength > MaxV2PayloadLength)
        {
            return ProxyParseResult.Invalid("v2 header is longer than the accepted bound");
        }

        var headerLength = V2FixedLength + payloadLength;
        if (data.Length < headerLength)
        {
            return ProxyParseResult.Incomplete;
        }

        if (isLocal)
        {
            // LOCAL: the receiver discards the whole protocol block and keeps the real endpoints.
            return ProxyParseResult.Parsed(new ProxyHeader(2, true, null, null, headerLength));
        }

        return ParseV2Proxy(data[V2FixedLength..headerLength], addressFamily, transport, headerLength);
    }

    private static ProxyParseResult ParseV2Proxy(ReadOnlySpan<byte> payload, int addressFamily, int transport, int headerLength)
    {
        var addressBlockLength = addressFamily switch
        {
            1 => 12,
            2 => 36,
            3 => UnixAddressBlockLength,
            _ => 0,
        };
        if (payload.Length < addressBlockLength)
        {
            return ProxyParseResult.Invalid("v2 address block is shorter than its family requires");
        }

        if (!TlvsAreWellFormed(payload[addressBlockLength..]))
        {
            return ProxyParseResult.Invalid("v2 header has a TLV that runs past the header");
        }

        const int stream = 1;
        if (transport != stream || addressFamily is not (1 or 2))
        {
            // AF_UNSPEC, AF_UNIX and datagram carry no TCP client address: keep the real endpoints.
            return ProxyParseResult.Parsed(new ProxyHeader(2, false, null, null, headerLength));
        }

        var addressLength = addressFamily == 1 ? 4 : 16;
        var source = new IPAddress(payload[..addressLength]);
        var destination = new IPAddress(payload[addressLength..(2 * addressLength)]);
        var ports = payload[(2 * addressLength)..];
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(ports);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(ports[2..]);
        return ProxyParseResult.Parsed(new ProxyHeader(
            2,
            false,
            new IPEndPoint(source, sourcePort),
            new IPEndPoint(destination, destinationPort),
            headerLength));
    }

    /// <summary>Each TLV is type (1 byte), length (2 bytes, big endian), value; together they fill the rest exactly.</summary>
    private static bool TlvsAreWellFormed(ReadOnlySpan<byte> tlvs)
    {
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3)
            {
                return false;
            }

            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..3]);
            if (valueLength > tlvs.Length - 3)
            {
                return false;
            }

            tlvs = tlvs[(3 + valueLength)..];
        }

        return true;
    }
}
