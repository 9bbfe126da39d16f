using MailRelay.Queue;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Tests.Queue;

/// <summary>
/// Performs the real fsyncs and records them. It can hold the next directory fsync of the committed
/// area until released (to let a batch gather without timing) and make directory fsyncs fail.
/// </summary>
internal sealed class RecordingDiskSync : IDiskSync
{
    private readonly PosixDiskSync _real = new();
    private readonly string _activeDirectory;
    private readonly Lock _gate = new();
    private int _activeSyncs;
    private int _fileSyncs;
    private TaskCompletionSource? _entered;
    private ManualResetEventSlim? _release;

    public RecordingDiskSync(string dataDirectory)
    {
        _activeDirectory = Path.GetFullPath(Path.Combine(dataDirectory, "queue", "active"));
    }

    public int ActiveDirectorySyncs => Volatile.Read(ref _activeSyncs);

    public int FileSyncs => Volatile.Read(ref _fileSyncs);

    /// <summary>When set, directory fsyncs of the committed area throw as a failing disk would.</summary>
    public bool FailActiveDirectorySyncs { get; set; }

    /// <summary>Makes the next fsync of the committed area wait; the task completes once it is waiting.</summary>
    public Task HoldNextActiveSync(ManualResetEventSlim release)
    {
        lock (_gate)
        {
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = release;
            return _entered.Task;
        }
    }

    public void SyncFile(SafeFileHandle file)
    {
        Interlocked.Increment(ref _fileSyncs);
        _real.SyncFile(file);
    }

    public void SyncDirectory(string path)
    {
        if (!string.Equals(Path.GetFullPath(path), _activeDirectory, StringComparison.Ordinal))
        {
            _real.SyncDirectory(path);
            return;
        }

        Interlocked.Increment(ref _activeSyncs);
        // Decided before any hold, so a test can change it for later syncs while this one waits.
        var fail = FailActiveDirectorySyncs;
        TaskCompletionSource? entered;
        ManualResetEventSlim? release;
        lock (_gate)
        {
            (entered, release) = (_entered, _release);
            (_entered, _release) = (null, null);
        }

        if (entered is not null)
        {
            entered.SetResult();
            release!.Wait(TimeSpan.FromSeconds(30));
        }

        if (fail)
        {
            throw new IOException("fsync failed: Input/output error (errno 5)", 5);
        }

        _real.SyncDirectory(path);
    }
}
