namespace MailRelay.Queue;

/// <summary>The first line of a queue file: format version, identity, arrival time and envelope.</summary>
internal sealed record SpoolHeader(int Version, string QueueId, DateTimeOffset ArrivalTime, SpoolEnvelope Envelope);
