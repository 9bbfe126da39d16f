using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Inbound;

/// <summary>
/// Ids of the events made from inbound reports: a hash of what the event tells of and of the report's content, so a
/// report received twice (a 451 after the events were written, and the sender's retry) gives the same ids.
/// </summary>
internal static class InboundEventId
{
    public static string For(string type, string? queueId, string? recipient, string? messageId, string contentHash) =>
        "in-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', type, queueId ?? string.Empty, recipient ?? string.Empty, messageId ?? string.Empty, contentHash))))[..32];
}
