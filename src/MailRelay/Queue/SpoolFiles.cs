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
}
