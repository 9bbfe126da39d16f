namespace MailRelay.Tests.Delivery.Transport;

/// <summary>A message a <see cref="FakeSmtpServer"/> took: the MAIL line, the accepted recipients, the data bytes.</summary>
internal sealed record ReceivedMessage(string MailCommand, IReadOnlyList<string> Recipients, byte[] Data, bool OverTls, string? AuthenticatedUser);
