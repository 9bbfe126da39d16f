using MailRelay.Queue;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Tests.Queue;

/// <summary>
/// Performs every spool file operation for real and records it, in the order the calls returned, with the
/// bytes written; the workload adds markers between them. Each operation is logged after it returned, so a
/// rename is never logged after the directory fsync that waited for it.
/// </summary>
internal sealed class CrashPointFileSystem : IDiskSync
{
    private readonly PosixDiskSync _real = new();
    private readonly string _root;
    private readonly Lock _gate = new();
    private readonly List<CrashPointOperation> _operations = [];

    public CrashPointFileSystem(string dataDirectory)
    {
        _root = Path.GetFullPath(dataDirectory);
    }

    public IReadOnlyList<CrashPointOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                return [.. _operations];
            }
        }
    }

    public void Mark(CrashPointMarker marker) => Add(new CrashPointOperation(CrashPointKind.Marker, marker.QueueId) { Marker = marker });

    public void SyncFile(SafeFileHandle file) =>
        throw new InvalidOperationException("The spool syncs the files it opened through Open.");

    public void SyncFile(FileStream file)
    {
        _real.SyncFile(file.SafeFileHandle);
        Add(new CrashPointOperation(CrashPointKind.SyncFile, Relative(file.Name)));
    }

    /// <summary>An fdatasync: for the model, as good as an fsync (a segment's size never changes after it is prepared).</summary>
    public void SyncData(FileStream file)
    {
        ((IDiskSync)_real).SyncData(file);
        Add(new CrashPointOperation(CrashPointKind.SyncFile, Relative(file.Name)));
    }

    public void WriteAt(FileStream file, ReadOnlySpan<byte> data, long offset)
    {
        RandomAccess.Write(file.SafeFileHandle, data, offset);
        Add(new CrashPointOperation(CrashPointKind.Write, Relative(file.Name)) { Offset = offset, Data = data.ToArray() });
    }

    public void SyncDirectory(string path)
    {
        _real.SyncDirectory(path);
        Add(new CrashPointOperation(CrashPointKind.SyncDirectory, Relative(path)));
    }

    public FileStream Open(string path, FileStreamOptions options)
    {
        var existed = File.Exists(path);
        var file = new FileStream(path, options);
        if (!existed)
        {
            Add(new CrashPointOperation(CrashPointKind.Create, Relative(path)));
        }

        return file;
    }

    public void Write(FileStream file, ReadOnlySpan<byte> data)
    {
        var offset = file.Position;
        file.Write(data);
        Add(new CrashPointOperation(CrashPointKind.Write, Relative(file.Name)) { Offset = offset, Data = data.ToArray() });
    }

    public async ValueTask WriteAsync(FileStream file, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var offset = file.Position;
        await file.WriteAsync(data, cancellationToken);
        Add(new CrashPointOperation(CrashPointKind.Write, Relative(file.Name)) { Offset = offset, Data = data.ToArray() });
    }

    public void Truncate(FileStream file, long length)
    {
        file.SetLength(length);
        Add(new CrashPointOperation(CrashPointKind.Truncate, Relative(file.Name)) { Offset = length });
    }

    public void Move(string source, string destination)
    {
        File.Move(source, destination, overwrite: false);
        Add(new CrashPointOperation(CrashPointKind.Rename, Relative(source)) { Target = Relative(destination) });
    }

    public void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
            Add(new CrashPointOperation(CrashPointKind.Delete, Relative(path)));
        }
    }

    private void Add(CrashPointOperation operation)
    {
        lock (_gate)
        {
            _operations.Add(operation);
        }
    }

    private string Relative(string path) => Path.GetRelativePath(_root, Path.GetFullPath(path)).Replace('\\', '/');
}
