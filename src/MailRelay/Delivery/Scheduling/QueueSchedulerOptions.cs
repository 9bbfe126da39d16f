using MailRelay.Configuration;

namespace MailRelay.Delivery.Scheduling;

/// <summary>What the scheduler needs from the configuration, plus its own tuning.</summary>
public sealed record QueueSchedulerOptions
{
    /// <summary>Default bound on deliveries in progress at once, over all destinations.</summary>
    public const int DefaultMaxConcurrency = 20;

    /// <summary>Default jitter: each retry delay is scaled by a random factor in [0.9, 1.1].</summary>
    public const double DefaultJitter = 0.1;

    /// <summary>Default bound on recipients in one transaction (Postfix's <c>smtp_destination_recipient_limit</c>).</summary>
    public const int DefaultRecipientLimit = 50;

    /// <summary>Default bound on messages whose full record is in memory (Postfix's <c>qmgr_message_active_limit</c>).</summary>
    public const int DefaultActiveLimit = 20000;

    /// <summary>DATA_DIR.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>MAIL_HOSTNAME: Reporting-MTA and From of DSNs.</summary>
    public required string HostName { get; init; }

    /// <summary>RETRY_SCHEDULE: delay before the n-th retry; the last entry repeats.</summary>
    public required IReadOnlyList<TimeSpan> RetrySchedule { get; init; }

    /// <summary>QUEUE_LIFETIME: counted from arrival; deferred recipients fail (4.4.7) after it.</summary>
    public required TimeSpan QueueLifetime { get; init; }

    /// <summary>DELAY_WARNING_TIME: age at which a still-deferred recipient's sender is warned once; null: never.</summary>
    public TimeSpan? DelayWarning { get; init; }

    /// <summary>Most delivery requests in progress at once.</summary>
    public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;

    /// <summary>
    /// DELIVERY_RECIPIENT_LIMIT: most recipients of one message in one delivery request (one transaction); more
    /// recipients for the same next hop are split into several requests.
    /// </summary>
    public int RecipientLimit { get; init; } = DefaultRecipientLimit;

    /// <summary>
    /// QUEUE_ACTIVE_LIMIT: most messages whose envelope and recipient states are in memory at once (the active window);
    /// the rest of the queue costs a few numbers each and is read back from disk as it falls due.
    /// </summary>
    public int ActiveLimit { get; init; } = DefaultActiveLimit;

    /// <summary>EVENTS_CLIENT_ID_HEADER: the header whose value delivery events carry as the client's correlation id.</summary>
    public string ClientIdHeader { get; init; } = "X-Message-ID";

    /// <summary>Relative jitter of retry delays (0 = exact schedule).</summary>
    public double Jitter { get; init; } = DefaultJitter;

    public static QueueSchedulerOptions FromConfiguration(RelayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new QueueSchedulerOptions
        {
            DataDirectory = configuration.DataDirectory,
            HostName = configuration.HostName,
            RetrySchedule = configuration.Delivery.RetrySchedule,
            QueueLifetime = configuration.Delivery.QueueLifetime,
            DelayWarning = configuration.Delivery.DelayWarningTime,

            // A VERP return path names one recipient, so each recipient needs a transaction of its own.
            RecipientLimit = configuration.Bounce.VerpEnabled ? 1 : configuration.Delivery.RecipientLimit,
            ClientIdHeader = configuration.EventsClientIdHeader,
            ActiveLimit = configuration.Delivery.ActiveLimit,
        };
    }
}
