using Prometheus;

namespace MailRelay.RateLimiting;

/// <summary>
/// Pacing metrics per provider (label <c>provider</c>), in the daemon's registry, read from the
/// <see cref="PacingRegistry"/> at scrape time. The counters follow the controllers' own counts; an operator's reset
/// drops a provider's series, which Prometheus reads as a counter reset.
/// </summary>
public sealed class PacingMetrics
{
    private const string ProviderLabel = "provider";

    private readonly CollectorRegistry _registry;
    private readonly Gauge _delay;
    private readonly Gauge _circuit;
    private readonly Counter _trips;
    private readonly Counter _rateLimited;
    private readonly Counter _pacedWaits;
    private readonly Counter _sends;
    private readonly Gauge _warmupSent;
    private readonly Gauge _warmupCap;
    private readonly Lock _sync = new();

    public PacingMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        _delay = factory.CreateGauge("mailrelay_pacing_delay_seconds", "Current adaptive delay between messages, per provider.", ProviderLabel);
        _circuit = factory.CreateGauge("mailrelay_pacing_circuit_state", "Circuit breaker: 0 closed, 1 open, 2 half-open (one probe allowed).", ProviderLabel);
        _trips = factory.CreateCounter("mailrelay_pacing_circuit_trips_total", "Times the circuit breaker opened.", ProviderLabel);
        _rateLimited = factory.CreateCounter("mailrelay_pacing_rate_limited_replies_total", "Replies classified as rate limiting.", ProviderLabel);
        _pacedWaits = factory.CreateCounter("mailrelay_pacing_paced_waits_total", "Send slots granted later than asked for, because of the adaptive delay.", ProviderLabel);
        _sends = factory.CreateCounter("mailrelay_pacing_sends_total", "Messages accepted by the provider in paced slots.", ProviderLabel);
        _warmupSent = factory.CreateGauge("mailrelay_pacing_warmup_sent_today", "Messages counted against today's (UTC) warm-up cap.", ProviderLabel);
        _warmupCap = factory.CreateGauge("mailrelay_pacing_warmup_daily_cap", "Today's (UTC) warm-up cap; absent once warm-up is over.", ProviderLabel);
    }

    /// <summary>Reads <paramref name="pacing"/> before every scrape.</summary>
    internal void Observe(PacingRegistry pacing) => _registry.AddBeforeCollectCallback(() => Update(pacing));

    /// <summary>Brings every series up to date with <paramref name="pacing"/>; the scrape callback calls it.</summary>
    internal void Update(PacingRegistry pacing)
    {
        lock (_sync)
        {
            foreach (var snapshot in pacing.Snapshots())
            {
                // A disabled controller (adaptive pacing off) counts nothing: no series for it.
                if (pacing.Controller(snapshot.Provider).Settings.Enabled)
                {
                    var provider = snapshot.Provider.Value;
                    _delay.WithLabels(provider).Set(snapshot.CurrentDelay.TotalSeconds);
                    _circuit.WithLabels(provider).Set((int)snapshot.State);
                    _trips.WithLabels(provider).IncTo(snapshot.Trips);
                    _rateLimited.WithLabels(provider).IncTo(snapshot.RateLimitedReplies);
                    _pacedWaits.WithLabels(provider).IncTo(snapshot.PacedWaits);
                    _sends.WithLabels(provider).IncTo(snapshot.Sends);
                }
            }

            foreach (var warmup in pacing.WarmupSnapshots())
            {
                var provider = warmup.Provider.Value;
                _warmupSent.WithLabels(provider).Set(warmup.SentToday);
                if (warmup.CapToday is { } cap)
                {
                    _warmupCap.WithLabels(provider).Set(cap);
                }
                else
                {
                    _warmupCap.RemoveLabelled(provider);
                }
            }
        }
    }

    /// <summary>Drops a provider's series after a reset, so its counters restart from zero.</summary>
    internal void Forget(ProviderKey provider)
    {
        lock (_sync)
        {
            foreach (var gauge in new[] { _delay, _circuit, _warmupSent, _warmupCap })
            {
                gauge.RemoveLabelled(provider.Value);
            }

            foreach (var counter in new[] { _trips, _rateLimited, _pacedWaits, _sends })
            {
                counter.RemoveLabelled(provider.Value);
            }
        }
    }
}
