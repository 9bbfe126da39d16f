namespace MailRelay.Queue;

/// <summary>A file in the committed area that could not be read as a queue entry, and why.</summary>
public sealed record UnreadableQueueFile(string FileName, string Problem);
