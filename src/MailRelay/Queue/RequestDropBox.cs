using System.Globalization;
using System.Text;

namespace MailRelay.Queue;

/// <summary>
/// A directory through which a command-line tool hands one-line requests to a running daemon. A request is
/// written under a temporary name and renamed to <c>*.req</c>, so the daemon never reads half of one; names start
/// with the time they were made, so reading them in name order applies them in the order they were made.
/// </summary>
internal static class RequestDropBox
{
    public const string RequestExtension = ".req";

    private const string TemporaryExtension = ".tmp";

    /// <summary>Writes <paramref name="line"/> as a request in <paramref name="directory"/>; returns its file path.</summary>
    public static string Write(string directory, string line, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        var stem = string.Create(CultureInfo.InvariantCulture, $"{now.UtcTicks:D20}-{Guid.NewGuid():N}");
        var temporary = Path.Combine(directory, stem + TemporaryExtension);
        var final = Path.Combine(directory, stem + RequestExtension);
        File.WriteAllText(temporary, line + "\n", Encoding.ASCII);
        File.Move(temporary, final, overwrite: false);
        return final;
    }

    /// <summary>The pending requests in the order they were made, each with its text; none when the directory is missing.</summary>
    public static IReadOnlyList<(string Path, string Text)> ReadPending(string directory)
    {
        List<string> paths;
        try
        {
            paths = [.. Directory.EnumerateFiles(directory, "*" + RequestExtension)];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        paths.Sort(StringComparer.Ordinal);
        var requests = new List<(string, string)>(paths.Count);
        foreach (var path in paths)
        {
            try
            {
                requests.Add((path, File.ReadAllText(path, Encoding.ASCII)));
            }
            catch (FileNotFoundException)
            {
                // Taken by another reader in the meantime.
            }
        }

        return requests;
    }
}
