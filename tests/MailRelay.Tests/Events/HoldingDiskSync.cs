using MailRelay.Queue;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Tests.Events;

/// <summary>
/// Performs the file operations for real and counts the file fsyncs; it can hold the next one until released, so a
/// test can gather appends behind a running fsync without timing.
/// </summary>
internal sealed class HoldingDiskSync : IDiskSync
{
    private readonly PosixDiskSync _real = new();
    private readonly Lock _gate = new();
    private int _fileSyncs;
    private TaskCompletionSource? _entered;
    private ManualResetEventSlim? _release;

    public int FileSyncs => Volatile.Read(ref _fileSyncs);

    /// <summary>Makes the next file fsync wait for <paramref name="release"/>; the task completes once it waits.</summary>
    public Task HoldNextSync(ManualResetEventSlim release)
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

        Interlocked.Increment(ref _fileSyncs);
        _real.SyncFile(file);
    }

    public void SyncDirectory(string path) => _real.SyncDirectory(path);
}
