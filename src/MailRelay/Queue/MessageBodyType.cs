namespace MailRelay.Queue;

/// <summary>The body type the client declared (RFC 6152 BODY=, RFC 3030 BINARYMIME).</summary>
public enum MessageBodyType
{
    SevenBit,
    EightBitMime,
    BinaryMime,
}
