namespace MailRelay.Tests.Integration;

/// <summary>One message a <see cref="FakeProviderMx"/> accepted: on which connection, when, for whom.</summary>
internal sealed record FakeProviderMessage(int Connection, DateTimeOffset At, string[] Recipients, byte[] Content);
