using System.Globalization;
using System.Text;

namespace MailRelay.RateLimiting;

/// <summary>
/// The drop box through which <c>rate reset</c> hands a reset to a running daemon: <c>DATA_DIR/pacing/control/*.req</c>,
/// each one line <c>reset google.com</c>. A request is written under a temporary name and renamed, so the daemon
/// never reads half of one; it applies requests in name (time) order and removes each.
/// </summary>
public static class PacingControlDirectory
{
    public const string RequestExtension = ".req";

    private const string ResetVerb = "reset ";

    public static string PathOf(string dataDirectory) => Path.Combine(PacingStateFile.DirectoryOf(dataDirectory), "control");

    /// <summary>Writes a reset request for <paramref name="provider"/>; returns its file path.</summary>
    public static string WriteReset(string dataDirectory, ProviderKey provider, DateTimeOffset now)
    {
        var directory = PathOf(dataDirectory);
        Directory.CreateDirectory(directory);
        var stem = string.Create(CultureInfo.InvariantCulture, $"{now.UtcTicks:D20}-{Guid.NewGuid():N}");
        var temporary = Path.Combine(directory, stem + ".tmp");
        var final = Path.Combine(directory, stem + RequestExtension);
        File.WriteAllText(temporary, ResetVerb + provider.Value + "\n", Encoding.ASCII);
        File.Move(temporary, final, overwrite: false);
        return final;
    }

    /// <summary>Pending requests in the order they were made; a file that is not a request comes with null.</summary>
    public static IReadOnlyList<(string Path, ProviderKey? Reset)> ReadPending(string dataDirectory)
    {
        List<string> paths;
        try
        {
            paths = [.. Directory.EnumerateFiles(PathOf(dataDirectory), "*" + RequestExtension)];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        paths.Sort(StringComparer.Ordinal);
        var requests = new List<(string, ProviderKey?)>(paths.Count);
        foreach (var path in paths)
        {
            try
            {
                requests.Add((path, Parse(File.ReadAllText(path, Encoding.ASCII))));
            }
            catch (FileNotFoundException)
            {
                // Taken by another reader in the meantime.
            }
        }

        return requests;
    }

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
