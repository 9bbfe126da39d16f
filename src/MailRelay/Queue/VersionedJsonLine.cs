using System.Text.Json;

namespace MailRelay.Queue;

/// <summary>
/// The common frame of the queue's JSON lines (message headers, state records): a JSON object whose
/// <c>"v"</c> field is the format version this code understands.
/// </summary>
internal static class VersionedJsonLine
{
    /// <summary>Parses <paramref name="line"/> and checks its version; the caller disposes the document.</summary>
    /// <param name="what">What the line is, for errors: <c>header</c>, <c>state record</c>.</param>
    /// <param name="versionName">How errors name its version: <c>format version</c>, <c>state format version</c>.</param>
    /// <exception cref="QueueFormatException">Not JSON, no version, or another version.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> line, int version, string what, string versionName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new QueueFormatException($"{what} is not JSON", ex);
        }

        var root = document.RootElement;

        // TryGetInt32 throws, rather than answering false, when "v" is a string, a boolean or null.
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("v", out var versionElement)
            || versionElement.ValueKind != JsonValueKind.Number
            || !versionElement.TryGetInt32(out var given))
        {
            document.Dispose();
            throw new QueueFormatException($"{what} has no format version");
        }

        if (given != version)
        {
            document.Dispose();
            throw new QueueFormatException($"unsupported {versionName} {given}");
        }

        return document;
    }
}
