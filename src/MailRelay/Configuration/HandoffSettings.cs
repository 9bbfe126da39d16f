using MailRelay.Smtp.Net;

namespace MailRelay.Configuration;

/// <summary>
/// The scale-down handoff (docs/scaling.md): where a pod above the StatefulSet's replica count sends its queue
/// (HANDOFF_SERVICE, HANDOFF_PORT, within HANDOFF_TIMEOUT), and who may send one here (HANDOFF_PEERS).
/// </summary>
public sealed record HandoffSettings
{
    /// <summary>HANDOFF_SERVICE: the headless Service's DNS name, or the peer's own address; null = no handoff is sent.</summary>
    public string? Service { get; init; }

    /// <summary>HANDOFF_PORT.</summary>
    public int Port { get; init; } = 2525;

    /// <summary>HANDOFF_TIMEOUT.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>HANDOFF_PEERS: clients offered XARRIVAL and allowed to relay the messages that carry it.</summary>
    public NetworkList Peers { get; init; } = NetworkList.Empty;

    /// <summary>POD_NAME: <c>&lt;statefulset&gt;-&lt;ordinal&gt;</c>.</summary>
    public string PodName { get; init; } = "localhost";

    /// <summary>HANDOFF_KUBERNETES_API (test seam): an API read without credentials; null = the pod's service account.</summary>
    public Uri? KubernetesApi { get; init; }

    public bool Enabled => Service is not null;
}
