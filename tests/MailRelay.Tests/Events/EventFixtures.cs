using MailRelay.Events;

namespace MailRelay.Tests.Events;

internal static class EventFixtures
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static RelayEvent Delivered(string queueId, string recipient, int attempt = 1) => new()
    {
        Id = RelayEventIds.ForRecipient(RelayEventTypes.Delivered, queueId, recipient, attempt),
        Type = RelayEventTypes.Delivered,
        Time = Start,
        QueueId = queueId,
        MessageId = queueId + "@example.com",
        ClientId = "client-" + queueId,
        Sender = "app@example.com",
        Recipient = recipient,
        NextHop = "mx.example.net[192.0.2.1]:25",
        RemoteReply = "250 2.0.0 ok",
        DsnStatus = "2.0.0",
        Attempt = attempt,
        DelaySeconds = 1.5,
    };

    public static List<RelayEvent> Many(string queueId, int count) =>
        [.. Enumerable.Range(1, count).Select(i => Delivered(queueId, $"r{i}@example.net"))];
}
