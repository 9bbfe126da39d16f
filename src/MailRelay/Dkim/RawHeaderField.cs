namespace MailRelay.Dkim;

/// <summary>
/// One header field exactly as stored: <see cref="Raw"/> runs from the name to the CRLF that ends the field
/// (folded continuation lines included), so canonicalization sees the bytes that will be sent.
/// </summary>
internal sealed class RawHeaderField(string name, byte[] raw, int colonIndex)
{
    /// <summary>The field name as written, without surrounding whitespace.</summary>
    public string Name { get; } = name;

    public byte[] Raw { get; } = raw;

    /// <summary>The value: everything after the colon, folding and the final CRLF included.</summary>
    public ReadOnlySpan<byte> Value => Raw.AsSpan(colonIndex + 1);

    public bool Is(string name) => Name.Equals(name, StringComparison.OrdinalIgnoreCase);
}
