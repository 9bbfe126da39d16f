using System.Globalization;
using System.Text;

namespace MailRelay.Queue;

/// <summary>
/// The drop box through which the CLI hands requests to a running daemon: <c>queue/control/*.req</c>,
/// each one line (<c>hold 01KJ3V7Q2M9XG4TB</c>). A request is written under a temporary name and renamed,
/// so the daemon never sees half of one; it applies requests in name (time) order and removes each.
/// </summary>
internal static class ControlDirectory
{
    public const string RequestExtension = ".req";

    private const string TemporaryExtension = ".tmp";

    public static string PathOf(string dataDirectory) => new SpoolLayout(dataDirectory).ControlDirectory;

    /// <summary>Writes a request; returns its file path.</summary>
    public static string Write(string dataDirectory, ControlRequest request, DateTimeOffset now)
    {
        var directory = PathOf(dataDirectory);
        Directory.CreateDirectory(directory);
        var stem = string.Create(CultureInfo.InvariantCulture, $"{now.UtcTicks:D20}-{Guid.NewGuid():N}");
        var temporary = Path.Combine(directory, stem + TemporaryExtension);
        var final = Path.Combine(directory, stem + RequestExtension);
        File.WriteAllText(temporary, request + "\n", Encoding.ASCII);
        File.Move(temporary, final, overwrite: false);
        return final;
    }

    /// <summary>The pending requests in the order they were made; unparsable files are returned with a null request.</summary>
    public static IReadOnlyList<(string Path, ControlRequest? Request)> ReadPending(string dataDirectory)
    {
        var directory = PathOf(dataDirectory);
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
        var requests = new List<(string, ControlRequest?)>(paths.Count);
        foreach (var path in paths)
        {
            try
            {
                requests.Add((path, ControlRequest.Parse(File.ReadAllText(path, Encoding.ASCII))));
            }
            catch (FileNotFoundException)
            {
                // Taken by another reader in the meantime.
            }
        }

        return requests;
    }
}
