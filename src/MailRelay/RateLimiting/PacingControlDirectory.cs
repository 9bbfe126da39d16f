using MailRelay.Queue;

namespace MailRelay.RateLimiting;

/// <summary>
/// The drop box (<see cref="RequestDropBox"/>) through which <c>rate reset</c> hands a reset to a running daemon:
/// <c>DATA_DIR/pacing/control/*.req</c>, each one line <c>reset google.com</c>.
/// </summary>
public static class PacingControlDirectory
{
    public const string RequestExtension = RequestDropBox.RequestExtension;

    private const string ResetVerb = "reset ";

    public static string PathOf(string dataDirectory) => Path.Combine(PacingStateFile.DirectoryOf(dataDirectory), "control");

    /// <summary>Writes a reset request for <paramref name="provider"/>; returns its file path.</summary>
    public static string WriteReset(string dataDirectory, ProviderKey provider, DateTimeOffset now) =>
        RequestDropBox.Write(PathOf(dataDirectory), ResetVerb + provider.Value, now);

    /// <summary>Pending requests in the order they were made; a file that is not a request comes with null.</summary>
    public static IReadOnlyList<(string Path, ProviderKey? Reset)> ReadPending(string dataDirectory) =>
        [.. RequestDropBox.ReadPending(PathOf(dataDirectory)).Select(r => (r.Path, Parse(r.Text)))];
    private static ProviderKey? Parse(string text)
    {
        var line = text.Trim();
        if (!line.StartsWith(ResetVerb, StringComparison.Ordinal))
        {
            return null;
        }

        var name = line[ResetVerb.Length..].Trim();
        return name.Length == 0 || name.Contains(' ', StringComparison.Ordinal) ? null : new ProviderKey(name);
    }
}
