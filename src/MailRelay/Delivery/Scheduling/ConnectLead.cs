namespace MailRelay.Delivery.Scheduling;

/// <summary>
/// How long before its send slot a paced job of one queue goes to a worker: the longest of the last
/// <see cref="Samples"/> times from hand-off to a connection ready for MAIL FROM (a new connection's connect,
/// greeting, EHLO, STARTTLS and AUTH, or a reused one's RSET, plus any wait for a free worker), at most
/// <see cref="Max"/>. Taking the longest lets the slowest recent setup finish before the slot, so the transaction
/// starts on time; a faster one (a reused connection) then waits at the gate, idle, for at most the difference.
/// A setup longer than the lead only starts the transaction late; the gaps at the receiver hold either way.
/// </summary>
internal sealed class ConnectLead
{
    /// <summary>Recent setups remembered: enough to cover a pool's mix of new and reused connections.</summary>
    public const int Samples = 8;

    /// <summary>The most a job goes ahead of its slot: the longest a ready connection may sit idle at the gate.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    private readonly Lock _sync = new();
    private readonly TimeSpan[] _recent = new TimeSpan[Samples];
    private int _next;

    /// <summary>The lead now: zero until a setup has been observed.</summary>
    public TimeSpan Current
    {
        get
        {
            lock (_sync)
            {
                var longest = _recent.Max();
                return longest < Max ? longest : Max;
            }
        }
    }

    /// <summary>Remembers one setup time, forgetting the oldest.</summary>
    public void Observe(TimeSpan setup)
    {
        lock (_sync)
        {
            _recent[_next] = setup > TimeSpan.Zero ? setup : TimeSpan.Zero;
            _next = (_next + 1) % Samples;
        }
    }
}
