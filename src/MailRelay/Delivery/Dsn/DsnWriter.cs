using MailRelay.Queue;

namespace MailRelay.Delivery.Dsn;

/// <summary>
/// Queues DSNs through the spool like any other message, so they are durable before the failure that
/// caused them is considered reported, and are delivered (and retried) by the same scheduler.
/// </summary>
public sealed class DsnWriter
{
    private readonly Spool _spool;
    private readonly string _hostName;
    private readonly TimeProvider _timeProvider;

    public DsnWriter(Spool spool, string hostName, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _spool = spool;
        _hostName = hostName;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Whether a DSN may be sent about <paramref name="original"/>: never to the null sender, so a bounce
    /// can never cause another.
    /// </summary>
    public static bool IsOwed(QueueEntry original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return original.Envelope.Sender.Length > 0;
    }

    /// <summary>Builds the DSN and commits it to the spool; returns its queue id once it is durable.</summary>
    /// <exception cref="SpoolException">The DSN could not be made durable.</exception>
    public async Task<string> SendAsync(QueueEntry original, IReadOnlyList<DsnRecipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(original);
        if (!IsOwed(original))
        {
            throw new InvalidOperationException("No DSN is ever sent to the null sender.");
        }

        var content = DsnBuilder.Build(original, recipients, _hostName, _timeProvider.GetUtcNow());
        await using var writer = await _spool.BeginAsync(DsnBuilder.EnvelopeFor(original, recipients), cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
