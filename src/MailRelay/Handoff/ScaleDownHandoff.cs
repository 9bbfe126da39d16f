using MailRelay.Configuration;

namespace MailRelay.Handoff;

/// <summary>
/// The daemon's part of a scale-down: after SIGTERM's sessions and deliveries have stopped (and again before it
/// starts, for what a previous stop left), a pod the StatefulSet no longer keeps hands its queue to a remaining one,
/// all within HANDOFF_TIMEOUT. A pod it keeps (a plain restart) does nothing: its queue waits for it.
/// </summary>
public static class ScaleDownHandoff
{
    public static async Task RunIfLeavingAsync(RelayConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.Handoff;
        if (settings.Service is null)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        HandoffDecision decision;
        try
        {
            using var replicas = KubernetesReplicaCountSource.Open(settings, logger);
            decision = await new ScaleDownCheck(replicas, settings.Service).DecideAsync(settings.PodName, deadline.Token).ConfigureAwait(false);
        }
        catch (HandoffException exception)
        {
            HandoffLog.CheckFailed(logger, exception.Message);
            return;
        }
        catch (OperationCanceledException)
        {
            HandoffLog.CheckFailed(logger, "no answer from the Kubernetes API within HANDOFF_TIMEOUT");
            return;
        }

        HandoffLog.Decided(logger, decision.Ordinal, decision.Replicas, !decision.Leaving ? "kept, the queue stays"
            : decision.PeerHost is null ? "leaving, but no pod remains: the queue stays" : $"leaving, handing the queue to {decision.PeerHost}");
        if (!decision.Leaving || decision.PeerHost is not { } peer)
        {
            return;
        }

        HandoffResult result;
        try
        {
            result = await QueueHandoff.RunAsync(
                configuration.DataDirectory, peer, settings.Port, configuration.HostName, TimeProvider.System, logger, deadline.Token).ConfigureAwait(false);
        }
        catch (HandoffException exception)
        {
            HandoffLog.CheckFailed(logger, exception.Message);
            return;
        }

        HandoffLog.Finished(logger, peer, settings.Port, result.HandedOver, result.Remaining, result.Problem ?? "none");
    }
}
