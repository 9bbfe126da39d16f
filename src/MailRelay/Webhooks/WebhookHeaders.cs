namespace MailRelay.Webhooks;

/// <summary>The request headers every webhook POST carries (docs/events.md, Webhooks).</summary>
public static class WebhookHeaders
{
    /// <summary>The event's stable id: the same event sent again (a retry, a restart) carries the same one.</summary>
    public const string EventId = "X-MailRelay-Event-Id";

    public const string EventType = "X-MailRelay-Event-Type";

    /// <summary><c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c> (<see cref="WebhookSignature"/>).</summary>
    public const string Signature = "X-MailRelay-Signature";
}
