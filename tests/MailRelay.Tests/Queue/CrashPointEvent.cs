namespace MailRelay.Tests.Queue;

/// <summary>What the workload learned at a point of its run, set between the disk operations it caused.</summary>
internal enum CrashPointEvent
{
    /// <summary>The writer returned the queue id: the client would now hear 250.</summary>
    Acknowledged,

    /// <summary>The transport is about to hand a recipient's result to the scheduler.</summary>
    ResultGiven,

    /// <summary>The scheduler reported the attempt recorded (durable, or the message durably removed).</summary>
    ResultRecorded,

    /// <summary>An operator hold (or delete) is about to be applied.</summary>
    HoldRequested,

    /// <summary>The hold was applied and the call returned.</summary>
    HoldApplied,

    DeleteRequested,

    DeleteApplied,
}
