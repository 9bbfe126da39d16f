namespace MailRelay.Tests.Queue;

/// <summary>What one recorded step of a workload did to the disk, or a marker the workload set between steps.</summary>
internal enum CrashPointKind
{
    /// <summary>A new, empty file appeared at <see cref="CrashPointOperation.Path"/>.</summary>
    Create,

    /// <summary><see cref="CrashPointOperation.Data"/> written at <see cref="CrashPointOperation.Offset"/>.</summary>
    Write,

    /// <summary>The file cut to <see cref="CrashPointOperation.Offset"/> bytes.</summary>
    Truncate,

    /// <summary>fsync of the file.</summary>
    SyncFile,

    /// <summary>fsync of the directory.</summary>
    SyncDirectory,

    /// <summary>rename(2) from <see cref="CrashPointOperation.Path"/> to <see cref="CrashPointOperation.Target"/>.</summary>
    Rename,

    /// <summary>unlink(2).</summary>
    Delete,

    /// <summary>Not a disk operation: what the workload had observed by then (<see cref="CrashPointOperation.Marker"/>).</summary>
    Marker,
}
