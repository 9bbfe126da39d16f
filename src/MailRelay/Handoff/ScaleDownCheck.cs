using System.Net;
using MailRelay.Configuration;

namespace MailRelay.Handoff;

/// <summary>
/// Decides, from the pod's name (<c>&lt;statefulset&gt;-&lt;ordinal&gt;</c>) and the StatefulSet's current replica count,
/// whether this pod is going away for good. A scale-down lowers <c>spec.replicas</c> before the controller stops the
/// pods above it, so an ordinal at or above the count means the pod will not come back and its queue must move; a
/// plain restart (same count) keeps its queue. The queue goes to the lowest ordinal, which is always kept.
/// </summary>
public sealed class ScaleDownCheck
{
    private readonly IReplicaCountSource _replicas;
    private readonly string _service;

    /// <param name="service">HANDOFF_SERVICE: the headless Service's DNS name, or the peer's own address.</param>
    public ScaleDownCheck(IReplicaCountSource replicas, string service)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentException.ThrowIfNullOrEmpty(service);
        _replicas = replicas;
        _service = service;
    }

    /// <exception cref="HandoffException">The pod name is not a StatefulSet pod's, or the replica count cannot be read.</exception>
    public async Task<HandoffDecision> DecideAsync(string podName, CancellationToken cancellationToken)
    {
        if (!StatefulSetOrdinal.TryParse(podName, out var statefulSet, out var ordinal))
        {
            throw new HandoffException($"'{podName}' is not a StatefulSet pod name (<statefulset>-<ordinal>)");
        }

        var replicas = await _replicas.GetReplicasAsync(statefulSet, cancellationToken).ConfigureAwait(false);
        if (ordinal < replicas)
        {
            return new HandoffDecision(Leaving: false, ordinal, replicas, PeerHost: null);
        }

        // Scaled to zero: nobody to hand to; the queue stays on the volume for `queue handoff` or a scale-up.
        var peer = replicas <= 0 ? null
            : IPAddress.TryParse(_service, out _) ? _service
            : $"{statefulSet}-0.{_service}";
        return new HandoffDecision(Leaving: true, ordinal, replicas, peer);
    }
}
