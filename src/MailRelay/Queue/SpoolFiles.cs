namespace MailRelay.Queue;

/// <summary>File operations shared by the writer and the committer.</summary>
internal static class SpoolFiles
{
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;

    /// <summary>Removes a file if present; a failure is logged, since the caller is already failing.</summary>
    public static void TryDelete(IDiskSync diskSync, string path, ILogger logger)
    {
        try
        {
            diskSync.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SpoolLog.CleanupFailed(logger, path, ex);
        }
    }

    /// <summary>Whether an I/O failure means the disk (or the quota) is full.</summary>
    public static bool IsOutOfSpace(Exception exception) =>
        exception is IOException { HResult: NoSpace or QuotaExceeded };

    /// <summary>Whether the exception is one the file system raises for a failed operation.</summary>
    public static bool IsIoFailure(Exception exception) =>
        exception is IOException or UnauthorizedAccessException;

    /// <summary>
    /// Options to create a spool file that must not exist yet (<c>O_CREAT|O_EXCL</c>), for writing, unbuffered (the
    /// callers buffer, so a failed write never lingers to resurface on dispose); mail is private: mode 0640.
    /// </summary>
    public static FileStreamOptions CreateNewOptions(FileOptions options = FileOptions.None)
    {
        var created = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            Options = options,
        };
        if (!OperatingSystem.IsWindows())
        {
            created.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        return created;
    }
}
