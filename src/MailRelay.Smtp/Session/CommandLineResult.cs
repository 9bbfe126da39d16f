namespace MailRelay.Smtp.Session;

/// <summary>A command line read from the client: its text, or the fact that it exceeded the limit or was not UTF-8.</summary>
public readonly record struct CommandLineResult(string? Line, bool TooLong, bool Malformed);
