namespace MailRelay.Handoff;

/// <summary>What a pod found out about itself: whether the StatefulSet keeps it, and if not, where its queue goes.</summary>
/// <param name="Leaving">The pod's ordinal is at or above the replica count: the StatefulSet was scaled below it.</param>
/// <param name="PeerHost">The remaining pod to hand the queue to; null when the pod stays or no pod remains.</param>
public sealed record HandoffDecision(bool Leaving, int Ordinal, int Replicas, string? PeerHost);
