namespace MailRelay.Queue;

/// <summary>Why the spool could not take a message. Every reason is temporary from the client's view.</summary>
public enum SpoolFailureReason
{
    /// <summary>The file system is full or the quota is exhausted (ENOSPC, EDQUOT).</summary>
    InsufficientStorage,

    /// <summary>Creating or writing the message file failed.</summary>
    WriteFailed,

    /// <summary>An fsync of the message file or of the queue directory failed: the data may not be durable.</summary>
    SyncFailed,

    /// <summary>Moving the message into the committed area failed.</summary>
    CommitFailed,

    /// <summary>The spool is not initialized or has been shut down.</summary>
    Unavailable,
}
