namespace MailRelay.RateLimiting;

/// <summary>A recipient domain whose provider an MX lookup taught us (a Google Workspace domain → google.com).</summary>
public sealed record LearnedProvider(string Domain, string Provider);
