using MailRelay.Queue;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Tests.Queue;

/// <summary>
/// Performs the spool's file operations for real, except the chosen one, which fails as a failing disk
/// does: an <see cref="IOException"/> carrying errno EIO. Every state-log fsync is logged with its result,
/// so a test can tell whether a failed one was followed by one that succeeded.
/// </summary>
internal sealed class FaultInjectingDiskSync : IDiskSync
{
    /// <summary>errno EIO, as <see cref="PosixDiskSync"/> and the runtime put it in <see cref="Exception.HResult"/>.</summary>
    public const int InputOutputError = 5;

    private readonly PosixDiskSync _real = new();
    private readonly Lock _gate = new();
    private readonly List<(string Path, bool Succeeded)> _fileSyncs = [];
    private DiskOperation? _failing;
    private string? _pathPart;
    private int _remaining;
    private int _failures;

    /// <summary>How many operations have been failed so far.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Every file fsync so far, in order, with whether it succeeded.</summary>
    public IReadOnlyList<(string Path, bool Succeeded)> FileSyncs
    {
        get
        {
            lock (_gate)
            {
                return [.. _fileSyncs];
            }
        }
    }

    /// <summary>Fails the next <paramref name="count"/> operations of that kind on paths containing <paramref name="pathPart"/>.</summary>
    public void Fail(DiskOperation operation, string? pathPart = null, int count = int.MaxValue)
    {
        lock (_gate)
        {
            (_failing, _pathPart, _remaining) = (operation, pathPart, count);
        }
    }

    /// <summary>The disk works again.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _failing = null;
        }
    }

    public void SyncFile(SafeFileHandle file)
    {
        ThrowIfFailing(DiskOperation.SyncFile, string.Empty);
        _real.SyncFile(file);
    }

    public void SyncFile(FileStream file)
    {
        try
        {
            ThrowIfFailing(DiskOperation.SyncFile, file.Name);
            _real.SyncFile(file.SafeFileHandle);
        }
        catch (IOException)
        {
            RecordFileSync(file.Name, succeeded: false);
            throw;
        }

        RecordFileSync(file.Name, succeeded: true);
    }

    public void SyncData(FileStream file)
    {
        ThrowIfFailing(DiskOperation.SyncData, file.Name);
        ((IDiskSync)_real).SyncData(file);
    }

    public void WriteAt(FileStream file, ReadOnlySpan<byte> data, long offset)
    {
        ThrowIfFailing(DiskOperation.Write, file.Name);
        RandomAccess.Write(file.SafeFileHandle, data, offset);
    }

    public void SyncDirectory(string path)
    {
        ThrowIfFailing(DiskOperation.SyncDirectory, path);
        _real.SyncDirectory(path);
    }

    public FileStream Open(string path, FileStreamOptions options)
    {
        ThrowIfFailing(DiskOperation.Open, path);
        return new FileStream(path, options);
    }

    public void Write(FileStream file, ReadOnlySpan<byte> data)
    {
        ThrowIfFailing(DiskOperation.Write, file.Name);
        file.Write(data);
    }

    public ValueTask WriteAsync(FileStream file, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfFailing(DiskOperation.Write, file.Name);
        return file.WriteAsync(data, cancellationToken);
    }

    public void Truncate(FileStream file, long length)
    {
        ThrowIfFailing(DiskOperation.Truncate, file.Name);
        file.SetLength(length);
    }

    public void Move(string source, string destination)
    {
        ThrowIfFailing(DiskOperation.Move, destination);
        File.Move(source, destination, overwrite: false);
    }

    public void Delete(string path)
    {
        ThrowIfFailing(DiskOperation.Delete, path);
        File.Delete(path);
    }

    private void RecordFileSync(string path, bool succeeded)
    {
        lock (_gate)
        {
            _fileSyncs.Add((path, succeeded));
        }
    }

    private void ThrowIfFailing(DiskOperation operation, string path)
    {
        lock (_gate)
        {
            if (_failing != operation || _remaining == 0 || (_pathPart is not null && !path.Contains(_pathPart, StringComparison.Ordinal)))
            {
                return;
            }

            _remaining--;
            _failures++;
        }

        throw new IOException($"{operation} {path}: Input/output error", InputOutputError);
    }
}
