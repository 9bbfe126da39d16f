using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Bounces;

/// <summary>
/// The token of a VERP return path, <c>bounce+TOKEN@domain</c>: 44 characters of Crockford base32, so the whole
/// local part is 51 octets, inside RFC 5321's 64, and survives a receiver that changes its case.
/// <code>
/// version  1 char    "1"
/// queue id 16 chars  the queue id as it is (already Crockford base32, 80 bits)
/// index    4 chars   the recipient's position in the message's envelope (20 bits)
/// issued   7 chars   Unix seconds when the return path was issued (35 bits)
/// mac      16 chars  HMAC-SHA256 over the 28 characters before it, upper case, cut to 80 bits
/// </code>
/// The recipient's address is not in the token (it would take the local part past 64 octets for almost every
/// address): <see cref="VerpRecipientMap"/> keeps it by queue id and index for as long as a bounce is accepted.
/// </summary>
internal static class VerpToken
{
    public const string Prefix = "bounce+";
    public const int Length = 1 + QueueIdChars + IndexChars + TimeChars + MacChars;
    public const int MaxIndex = (1 << (IndexChars * 5)) - 1;

    private const char Version = '1';
    private const int QueueIdChars = 16;
    private const int IndexChars = 4;
    private const int TimeChars = 7;
    private const int MacChars = 16;
    private const long MaxTime = (1L << (TimeChars * 5)) - 1;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>The token (lower case) for recipient <paramref name="index"/> of <paramref name="queueId"/>, issued at <paramref name="issued"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> key, string queueId, int index, DateTimeOffset issued)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, MaxIndex);
        if (!IsBase32(queueId) || queueId.Length != QueueIdChars)
        {
            throw new ArgumentException($"'{queueId}' is not a queue id.", nameof(queueId));
        }

        Span<char> token = stackalloc char[Length];
        token[0] = Version;
        queueId.AsSpan().ToUpperInvariant(token.Slice(1, QueueIdChars));
        Write(token.Slice(1 + QueueIdChars, IndexChars), index);
        Write(token.Slice(1 + QueueIdChars + IndexChars, TimeChars), Math.Clamp(issued.ToUnixTimeSeconds(), 0, MaxTime));
        Mac(key, token[..^MacChars], token[^MacChars..]);
        return new string(token).ToLowerInvariant();
    }

    /// <summary>
    /// Splits <paramref name="token"/> (any case) into its fields; false when it does not have the form. Says whether
    /// the MAC is ours in <paramref name="authentic"/> (compared in constant time).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> key, ReadOnlySpan<char> token, out string queueId, out int index, out DateTimeOffset issued, out bool authentic)
    {
        queueId = string.Empty;
        index = 0;
        issued = default;
        authentic = false;
        if (token.Length != Length || !IsBase32(token))
        {
            return false;
        }

        Span<char> upper = stackalloc char[Length];
        token.ToUpperInvariant(upper);
        if (upper[0] != Version)
        {
            return false;
        }

        queueId = new string(upper.Slice(1, QueueIdChars));
        index = (int)Read(upper.Slice(1 + QueueIdChars, IndexChars));
        issued = DateTimeOffset.FromUnixTimeSeconds(Read(upper.Slice(1 + QueueIdChars + IndexChars, TimeChars)));
        Span<char> expected = stackalloc char[MacChars];
        Mac(key, upper[..^MacChars], expected);
        authentic = CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes<char>(expected), MemoryMarshal.AsBytes(upper[^MacChars..]));
        return true;
    }

    private static void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<char> text, Span<char> destination)
    {
        Span<byte> input = stackalloc byte[Length];
        var length = Encoding.ASCII.GetBytes(text, input);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, input[..length], hash);

        // 80 bits, 16 characters of 5 bits: the first ten bytes, as two big-endian 40-bit halves.
        Write(destination[..8], (long)(BinaryPrimitives.ReadUInt64BigEndian(hash) >> 24));
        Write(destination[8..], (long)(BinaryPrimitives.ReadUInt64BigEndian(hash[5..]) >> 24));
    }

    private static void Write(Span<char> destination, long value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
    }

    private static long Read(ReadOnlySpan<char> digits)
    {
        long value = 0;
        foreach (var c in digits)
        {
            value = (value << 5) | (long)Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        return value;
    }

    private static bool IsBase32(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!Alphabet.Contains(char.ToUpperInvariant(c), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
