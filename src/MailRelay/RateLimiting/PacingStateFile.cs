using System.Text.Json;
using MailRelay.Dkim;

namespace MailRelay.RateLimiting;

/// <summary>
/// Reads and writes <c>DATA_DIR/pacing/state.json</c>. Writes are atomic (temporary file, fsync, rename, directory
/// fsync), so a crash leaves the previous state or the new one, never a torn file.
/// </summary>
public static class PacingStateFile
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public static string DirectoryOf(string dataDirectory) => Path.Combine(dataDirectory, "pacing");

    public static string PathOf(string dataDirectory) => Path.Combine(DirectoryOf(dataDirectory), "state.json");

    /// <summary>The saved state, or null when none was saved.</summary>
    /// <exception cref="InvalidDataException">The file is not a pacing state this version understands.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PacingState? Read(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        PacingState? state;
        try
        {
            state = JsonSerializer.Deserialize(content, PacingStateJsonContext.Default.PacingState);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid pacing state: {ex.Message}", ex);
        }

        if (state is null || state.Providers is null || state.Learned is null)
        {
            throw new InvalidDataException($"{path} is not valid pacing state: fields are missing.");
        }

        if (state.FormatVersion != PacingState.CurrentFormatVersion)
        {
            throw new InvalidDataException($"{path} has format version {state.FormatVersion}; this version reads {PacingState.CurrentFormatVersion}.");
        }

        return state;
    }

    public static void Write(string path, PacingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(state, PacingStateJsonContext.Default.PacingState), FileMode);
    }
}
