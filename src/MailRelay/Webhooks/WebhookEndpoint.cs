namespace MailRelay.Webhooks;

/// <summary>
/// One entry of WEBHOOK_ENDPOINTS: where events are POSTed, which types it takes, and the extra request headers (often
/// an Authorization header, so not a record: no generated <c>ToString</c> ever prints their values).
/// </summary>
public sealed class WebhookEndpoint
{
    public WebhookEndpoint(string name, Uri url, IReadOnlySet<string>? events, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Name = name;
        Url = url;
        Events = events;
        Headers = headers;
    }

    /// <summary>A stable name: the endpoint's consumer name in the outbox (its acknowledged position) and its metric label.</summary>
    public string Name { get; }

    public Uri Url { get; }

    /// <summary>The event types it takes; null = every type (<see cref="Events.RelayEventTypes.All"/>).</summary>
    public IReadOnlySet<string>? Events { get; }

    /// <summary>Extra request headers, sent as given; their values may be credentials.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The outbox consumer name: the acknowledged position belongs to the endpoint's name, not its URL.</summary>
    public string ConsumerName => "webhook-" + Name;

    public bool Takes(string eventType) => Events is null || Events.Contains(eventType);

    public override string ToString() => $"{Name} ({Url})";
}
