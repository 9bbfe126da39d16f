namespace MailRelay.Tests.Queue;

/// <summary>The spool file operations a <see cref="FaultInjectingDiskSync"/> can fail.</summary>
public enum DiskOperation
{
    Open,
    Write,
    Truncate,
    SyncFile,
    SyncDirectory,
    Move,
    Delete,
}
