namespace MailRelay.Tests.Queue;

/// <summary>A message the crash-point workload submitted: what a recovered copy of it must hold.</summary>
internal sealed record CrashPointMessage(string QueueId, string Sender, IReadOnlyList<string> Recipients, byte[] Content);
