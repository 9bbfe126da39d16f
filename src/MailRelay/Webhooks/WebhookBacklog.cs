namespace MailRelay.Webhooks;

/// <summary>What an endpoint has not acknowledged at one moment: the figures behind its gauges.</summary>
/// <param name="Backlog">Events in the outbox from the acknowledged position on.</param>
/// <param name="OldestAge">Age of the event at the acknowledged position; zero when the backlog is empty.</param>
/// <param name="InFlight">Requests waiting for their answer.</param>
public readonly record struct WebhookBacklog(long Backlog, TimeSpan OldestAge, int InFlight);
