using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MailRelay.Dnsbl;

/// <summary>
/// A closed range of IPv4 answers, <c>127.0.0.2-127.0.0.11</c> or one address. Blocklists answer in 127.0.0.0/8
/// (RFC 5782 §2.1), so that an answer can never be mistaken for a real host.
/// </summary>
public readonly record struct AnswerRange(uint First, uint Last)
{
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var value = ToNumber(address);
        return value >= First && value <= Last;
    }

    public bool Overlaps(AnswerRange other) => First <= other.Last && other.First <= Last;

    /// <summary>Reads <c>a.b.c.d</c> or <c>a.b.c.d-e.f.g.h</c>; both ends inside 127.0.0.0/8, the first not above the last.</summary>
    public static bool TryParse(string text, out AnswerRange range, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        range = default;
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length > 2)
        {
            error = $"'{text}' is not an address or a range first-last.";
            return false;
        }

        if (!TryParseAnswer(parts[0], out var first, out error) || !TryParseAnswer(parts[^1], out var last, out error))
        {
            return false;
        }

        if (first > last)
        {
            error = $"'{text}' runs backwards (write the lower address first).";
            return false;
        }

        range = new AnswerRange(first, last);
        error = string.Empty;
        return true;
    }

    public override string ToString() => First == Last ? ToAddress(First).ToString() : $"{ToAddress(First)}-{ToAddress(Last)}";

    private static bool TryParseAnswer(string text, out uint value, out string error)
    {
        value = 0;
        error = string.Empty;
        // IPAddress.TryParse takes "127.1" and "2130706434"; a blocklist answer is written in full.
        if (text.Split('.').Length != 4 || !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            error = $"'{text}' is not an IPv4 address (a.b.c.d).";
            return false;
        }

        value = ToNumber(address);
        if (value >> 24 != 127)
        {
            error = $"'{text}' is outside 127.0.0.0/8, where blocklists answer.";
            return false;
        }

        return true;
    }

    private static uint ToNumber(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress ToAddress(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
