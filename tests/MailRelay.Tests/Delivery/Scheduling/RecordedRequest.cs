using MailRelay.Delivery;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>A request the fake transport received, with the message bytes as they were in the queue file.</summary>
/// <param name="At">The fake clock's time when the request reached the transport.</param>
internal sealed record RecordedRequest(DeliveryRequest Request, byte[] Content, DateTimeOffset At = default);
