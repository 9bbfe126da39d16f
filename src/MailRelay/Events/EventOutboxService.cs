namespace MailRelay.Events;

/// <summary>
/// Tells the outbox when the host has started, so that it knows which consumers registered (the webhooks register
/// while starting) and may delete what none of them still needs.
/// </summary>
internal sealed class EventOutboxService(EventOutbox outbox, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(outbox.ConsumersSettled);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
