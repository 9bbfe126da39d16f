namespace MailRelay.Tests.Queue;

/// <summary>The spool file operations a <see cref="FaultInjectingDiskSync"/> can fail.</summary>
public enum DiskOperation
{
    Open,
    Write,
    Truncate,
    SyncFile,

    /// <summary>fdatasync of a segment file.</summary>
    SyncData,
    SyncDirectory,
    Move,
    Delete,
}
