namespace MailRelay.Queue.Segments;

/// <summary>Where a message's record body (its queue file bytes) lies: segment, offset of the body, its length.</summary>
internal readonly record struct SegmentLocation(long Sequence, long BodyOffset, int BodyLength);
