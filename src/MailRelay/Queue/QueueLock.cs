namespace MailRelay.Queue;

/// <summary>
/// The exclusive lock on <c>queue/lock</c> (flock through <see cref="FileShare.None"/>). The daemon holds
/// it for as long as it runs; the queue CLI takes it to change files directly, and when it cannot, knows
/// a daemon is running and hands the change over through <c>queue/control/</c> instead. The kernel drops
/// the lock when the holder exits, however it exits.
/// </summary>
public sealed class QueueLock : IDisposable
{
    private readonly FileStream _file;

    private QueueLock(FileStream file)
    {
        _file = file;
    }

    /// <summary>Takes the lock, or returns null when another holder has it. Creates the queue directory.</summary>
    /// <exception cref="IOException">The lock file cannot be created for another reason.</exception>
    public static QueueLock? TryAcquire(string dataDirectory)
    {
        var layout = new SpoolLayout(dataDirectory);
        Directory.CreateDirectory(layout.QueueDirectory);
        try
        {
            var file = new FileStream(layout.LockPath, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
            });
            return new QueueLock(file);
        }
        catch (IOException ex) when (ex is not (DirectoryNotFoundException or PathTooLongException) && File.Exists(layout.LockPath))
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
