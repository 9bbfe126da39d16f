namespace MailRelay.Delivery.Scheduling;

/// <summary>One (message, recipient domain) group handed to a delivery worker.</summary>
internal sealed record DeliveryJob(QueuedMessage Message, string Domain, IReadOnlyList<string> Recipients);
