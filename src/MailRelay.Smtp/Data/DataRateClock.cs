using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Data;

/// <summary>
/// The idle timeout for each content read, shortened so that it fires exactly when the average rate
/// since the start of DATA/BDAT would fall below <see cref="SmtpServerOptions.MinDataRate"/>.
/// </summary>
public sealed class DataRateClock
{
    private readonly SmtpServerOptions options;
    private readonly TimeProvider timeProvider;
    private readonly DateTimeOffset started;
    private long octets;

    public DataRateClock(SmtpServerOptions options, TimeProvider timeProvider)
    {
        this.options = options;
        this.timeProvider = timeProvider;
        started = timeProvider.GetUtcNow();
    }

    public void Add(long received) => octets += received;

    /// <summary>The timeout for the next read and the outcome when it fires.</summary>
    public (TimeSpan Timeout, SessionOutcome Outcome) NextReadTimeout()
    {
        if (options.MinDataRate <= 0)
        {
            return (options.DataTimeout, SessionOutcome.DataTimeout);
        }

        var earned = TimeSpan.FromSeconds((double)octets / options.MinDataRate);
        var allowed = earned > options.MinDataRateGracePeriod ? earned : options.MinDataRateGracePeriod;
        var remaining = started + allowed - timeProvider.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            remaining = TimeSpan.Zero;
        }

        return options.DataTimeout != Timeout.InfiniteTimeSpan && options.DataTimeout <= remaining
            ? (options.DataTimeout, SessionOutcome.DataTimeout)
            : (remaining, SessionOutcome.DataRateTooLow);
    }
}
