namespace MailRelay.Configuration;

/// <summary>File-system checks made at start, so a wrong path stops the daemon before it serves anyone.</summary>
internal static class FileChecks
{
    /// <summary>Opens the file for reading, so a missing file or a permission problem is reported now.</summary>
    public static bool CheckReadable(EnvironmentReader reader, string name, string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            reader.Error(name, $"cannot read '{path}': {exception.Message}");
            return false;
        }
    }

    /// <summary>
    /// Checks a directory path and makes it absolute against <paramref name="currentDirectory"/> (a valid path
    /// only), recording the absolute path as what the variable resolved to.
    /// </summary>
    public static string ResolveDirectoryPath(EnvironmentReader reader, string name, string path, string currentDirectory)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            CheckDirectoryPath(reader, name, path);
            return path;
        }

        var absolute = Path.GetFullPath(path, currentDirectory);
        CheckDirectoryPath(reader, name, absolute);
        reader.Resolve(name, absolute, fromDefault: reader.Given(name) is null);
        return absolute;
    }

    /// <summary>
    /// A directory the daemon creates when missing; it is an error only when the path names something else.
    /// </summary>
    public static void CheckDirectoryPath(EnvironmentReader reader, string name, string path)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            reader.Error(name, $"'{path}' is not a valid path.");
        }
        else if (File.Exists(path))
        {
            reader.Error(name, $"'{path}' is a file, not a directory.");
        }
    }
}
