using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Events;

/// <summary>
/// Event ids derived from what an event tells of, never random (docs/events.md): the same outcome told again after a
/// crash gets the same id, so receivers can drop the second copy.
/// </summary>
public static class RelayEventIds
{
    /// <summary>
    /// The first 16 bytes, in lower-case hex, of SHA-256 over <c>type</c>, <c>queue id</c>, <c>recipient</c> and
    /// <c>attempt</c> joined by LF.
    /// </summary>
    public static string ForRecipient(string type, string queueId, string recipient, int attempt) =>
        Hash(type, queueId, recipient, attempt.ToString(CultureInfo.InvariantCulture));

    /// <summary>The same hash over the type and the given parts (events that are not about a recipient).</summary>
    public static string Of(string type, params string[] parts) => Hash([type, .. parts]);

    private static string Hash(params string[] parts)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', parts));
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
