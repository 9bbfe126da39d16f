namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// What <c>MailRelay queue list</c> shows, counted from the scheduler's view of the queue: the messages
/// (held ones included), their recipients not yet final (delivered or bounced), and how long ago the
/// oldest of them arrived (zero when the queue is empty).
/// </summary>
internal readonly record struct QueueSize(int Messages, int Recipients, TimeSpan OldestAge);
