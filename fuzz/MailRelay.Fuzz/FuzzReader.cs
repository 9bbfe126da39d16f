using System.Text;

namespace MailRelay.Fuzz;

/// <summary>
/// Turns fuzz bytes into structured values (numbers, strings, choices) for targets that build objects to
/// encode. Reading past the end yields zeros and empty strings, so every input is usable.
/// </summary>
internal sealed class FuzzReader(byte[] data, int start = 0)
{
    private int position = start;

    public bool AtEnd => position >= data.Length;

    public byte Byte() => position < data.Length ? data[position++] : (byte)0;

    public bool Bool() => (Byte() & 1) == 1;

    public int Int32() => Byte() | (Byte() << 8) | (Byte() << 16) | (Byte() << 24);

    public long Int64() => (uint)Int32() | ((long)Int32() << 32);

    /// <summary>A length-prefixed string, decoded as UTF-8 (invalid sequences become U+FFFD, as the SMTP side never passes them on).</summary>
    public string String(int maxLength = 64)
    {
        var length = Math.Min(Byte() % (maxLength + 1), data.Length - Math.Min(position, data.Length));
        var text = Encoding.UTF8.GetString(data, Math.Min(position, data.Length), length);
        position += length;
        return text;
    }

    public string? OptionalString(int maxLength = 64) => Bool() ? String(maxLength) : null;

    public ReadOnlySpan<byte> Rest() => position < data.Length ? data.AsSpan(position) : [];
}
