namespace MailRelay.Queue;

/// <summary>An operator's request about the queue.</summary>
public enum ControlCommand
{
    /// <summary>Attempt deferred mail now (one message, or all).</summary>
    Flush,

    /// <summary>Stop delivering a message until released.</summary>
    Hold,

    /// <summary>Undo a hold.</summary>
    Release,

    /// <summary>Remove a message without delivering it or bouncing it.</summary>
    Delete,
}
