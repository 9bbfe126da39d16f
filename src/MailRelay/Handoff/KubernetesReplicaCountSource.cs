using System.Text.Json;
using k8s;
using k8s.Autorest;
using MailRelay.Configuration;
using MailRelay.DnsPublishing.Kubernetes;

namespace MailRelay.Handoff;

/// <summary>
/// Reads the StatefulSet's <c>spec.replicas</c> with the pod's service account (the chart's Role grants <c>get</c>
/// on its own StatefulSet), or from HANDOFF_KUBERNETES_API without credentials (a test seam).
/// </summary>
public sealed class KubernetesReplicaCountSource : IReplicaCountSource, IDisposable
{
    private readonly IKubernetes _client;
    private readonly string _namespace;

    private KubernetesReplicaCountSource(IKubernetes client, string @namespace)
    {
        _client = client;
        _namespace = @namespace;
    }

    /// <exception cref="HandoffException">No Kubernetes API can be reached from here.</exception>
    public static KubernetesReplicaCountSource Open(HandoffSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.KubernetesApi is { } api)
        {
            return new KubernetesReplicaCountSource(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.ToString() }), "default");
        }

        try
        {
            var connection = KubernetesConnection.Open(configuredNamespace: null, logger);
            return new KubernetesReplicaCountSource(connection.Client, connection.Namespace);
        }
        catch (KubernetesConnectionException exception)
        {
            throw new HandoffException($"Cannot read the replica count: {exception.Message}", exception);
        }
    }

    public async Task<int> GetReplicasAsync(string statefulSet, CancellationToken cancellationToken)
    {
        try
        {
            var set = await _client.AppsV1.ReadNamespacedStatefulSetAsync(statefulSet, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);

            // An unset replicas field means one, as the API server defaults it.
            return set.Spec?.Replicas ?? 1;
        }
        catch (Exception exception) when (exception is HttpOperationException or HttpRequestException or JsonException
            or TaskCanceledException { InnerException: TimeoutException })
        {
            var answer = exception is HttpOperationException { Response: { } response } ? $"HTTP {(int)response.StatusCode}" : exception.Message;
            throw new HandoffException($"Reading StatefulSet {_namespace}/{statefulSet}: {answer}", exception);
        }
    }

    public void Dispose() => _client.Dispose();
}
