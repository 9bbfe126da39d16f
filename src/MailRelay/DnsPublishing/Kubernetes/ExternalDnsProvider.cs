using System.Net;
using k8s;
using k8s.Models;
using MailRelay.Configuration;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// Publishes through external-dns by keeping one DNSEndpoint object (externaldns.k8s.io/v1alpha1) that belongs to
/// this relay alone; external-dns's CRD source turns its record sets into DNS records.
/// </summary>
/// <remarks>
/// <para>
/// Ownership of DNS records is external-dns's business: its TXT registry marks each record set it creates with
/// its own <c>--txt-owner-id</c> and overwrites any <c>owner</c> label a source puts on an endpoint, so DNS_OWNER_ID
/// cannot mark records there. It marks the object instead (<see cref="OwnerAnnotation"/>): the relay only ever
/// changes a DNSEndpoint carrying its own owner id, so two relays given the same DNS_ENDPOINT_NAME, or an object
/// a chart or a person made, are reported instead of overwritten.
/// </para>
/// <para>
/// Writes are a create (POST) the first time and then a replace (PUT) carrying the resourceVersion last read, so
/// a write based on a stale read is refused with 409 instead of undoing someone else's; the object is then read
/// again and the same changes applied to it, a bounded number of times. The API verbs used are get, create and
/// update on dnsendpoints; the status is read with the object, never through the status subresource.
/// </para>
/// </remarks>
public sealed class ExternalDnsProvider : IDnsRecordProvider
{
    /// <summary>Annotation holding DNS_OWNER_ID on the DNSEndpoint.</summary>
    public const string OwnerAnnotation = "mail-relay/owner-id";

    /// <summary>The conventional label naming the tool that manages an object; also set on the DNSEndpoint.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "mail-relay";

    /// <summary>Writes attempted for one <see cref="ApplyAsync"/> before a run of conflicts is reported.</summary>
    public const int MaxWriteAttempts = 5;

    private readonly ExternalDnsSettings _settings;
    private readonly string _ownerId;
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly ILogger<ExternalDnsProvider> _logger;

    /// <summary>The object as last read or written; null until the first read. Its resourceVersion guards the next write.</summary>
    private LastSeen? _lastSeen;

    public ExternalDnsProvider(
        ExternalDnsSettings settings, string ownerId, IKubernetes client, string @namespace, ILogger<ExternalDnsProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.EndpointName);
        ArgumentException.ThrowIfNullOrWhiteSpace(ownerId);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(@namespace);
        ArgumentNullException.ThrowIfNull(logger);
        _settings = settings;
        _ownerId = ownerId;
        _client = client;
        _namespace = @namespace;
        _logger = logger;
    }

    public string Name => "external-dns";

    public bool RecordsAreExclusive => true;

    /// <summary>The object's name and namespace, for messages and <c>dns status</c>.</summary>
    public string ObjectReference => $"DNSEndpoint {_namespace}/{_settings.EndpointName}";

    /// <summary>Every record in the DNSEndpoint (none when it does not exist yet), whatever <paramref name="names"/> asks for.</summary>
    public async Task<IReadOnlyList<DnsRecord>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        var resource = await GetAsync(cancellationToken);
        return DnsEndpointRecords.ToRecords(resource?.Spec?.Endpoints);
    }

    public async Task ApplyAsync(IReadOnlyList<DnsChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        var current = _lastSeen is { } seen ? seen.Resource : await GetAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var endpoints = DnsEndpointRecords.Apply(current?.Spec?.Endpoints, changes);
            try
            {
                var written = current is null
                    ? await CreateAsync(endpoints, cancellationToken)
                    : await ReplaceAsync(current, endpoints, cancellationToken);
                _lastSeen = new LastSeen(written);
                if (current is null)
                {
                    KubernetesDnsLog.EndpointCreated(_logger, _namespace, _settings.EndpointName, endpoints.Count, written.Metadata.Generation ?? 0);
                }
                else
                {
                    KubernetesDnsLog.EndpointUpdated(_logger, _namespace, _settings.EndpointName, endpoints.Count, written.Metadata.Generation ?? 0);
                }

                return;
            }
            catch (Exception exception) when (attempt < MaxWriteAttempts
                && (KubernetesApiFailure.IsStatus(exception, HttpStatusCode.Conflict)
                    || (current is not null && KubernetesApiFailure.IsStatus(exception, HttpStatusCode.NotFound))))
            {
                // A stale resourceVersion on replace, an object created meanwhile on create, or deleted meanwhile on
                // replace: start again from the object as it is now.
                KubernetesDnsLog.WriteConflict(_logger, _namespace, _settings.EndpointName, attempt);
                current = await GetAsync(cancellationToken);
            }
            catch (Exception exception) when (KubernetesApiFailure.IsStatus(exception, HttpStatusCode.Conflict))
            {
                throw KubernetesApiFailure.ToProviderException(
                    $"Writing {ObjectReference}", exception, $"it kept changing under the relay ({MaxWriteAttempts} attempts); is another writer fighting over it?");
            }
            catch (Exception exception) when (current is null && KubernetesApiFailure.IsStatus(exception, HttpStatusCode.NotFound))
            {
                throw KubernetesApiFailure.ToProviderException(
                    $"Creating {ObjectReference}", exception, "the DNSEndpoint CRD (dnsendpoints.externaldns.k8s.io) is not installed in the cluster");
            }
            catch (Exception exception) when (KubernetesApiFailure.IsApiFailure(exception))
            {
                throw KubernetesApiFailure.ToProviderException($"Writing {ObjectReference}", exception);
            }
        }
    }

    /// <summary>
    /// True when external-dns has taken the object's latest spec into a sync: its CRD source copies
    /// <c>metadata.generation</c> to <c>status.observedGeneration</c> after listing the object, and the API server
    /// raises the generation on every spec change. No object means nothing to wait for.
    /// </summary>
    public async Task<bool> HasConvergedAsync(CancellationToken cancellationToken)
    {
        var resource = await GetAsync(cancellationToken);
        if (resource is null)
        {
            return true;
        }

        var generation = resource.Metadata.Generation ?? 0;
        var observed = resource.Status?.ObservedGeneration ?? 0;
        KubernetesDnsLog.EndpointGeneration(_logger, _namespace, _settings.EndpointName, generation, observed);
        return observed >= generation;
    }

    /// <summary>The object, or null when it does not exist; refuses one that another owner marked.</summary>
    private async Task<DnsEndpointResource?> GetAsync(CancellationToken cancellationToken)
    {
        DnsEndpointResource? resource;
        try
        {
            resource = await _client.CustomObjects.GetNamespacedCustomObjectAsync<DnsEndpointResource>(
                DnsEndpointResource.ApiGroup, DnsEndpointResource.ApiVersionName, _namespace, DnsEndpointResource.Plural,
                _settings.EndpointName, cancellationToken);
        }
        catch (Exception exception) when (KubernetesApiFailure.IsStatus(exception, HttpStatusCode.NotFound))
        {
            resource = null;
        }
        catch (Exception exception) when (KubernetesApiFailure.IsApiFailure(exception))
        {
            throw KubernetesApiFailure.ToProviderException($"Reading {ObjectReference}", exception);
        }

        if (resource is not null)
        {
            EnsureOurs(resource);
        }

        _lastSeen = new LastSeen(resource);
        return resource;
    }

    private void EnsureOurs(DnsEndpointResource resource)
    {
        string? owner = null;
        if (resource.Metadata.Annotations?.TryGetValue(OwnerAnnotation, out owner) == true && owner == _ownerId)
        {
            return;
        }

        var whose = owner is null
            ? $"it has no {OwnerAnnotation} annotation (managed by {ManagedBy(resource)})"
            : $"its {OwnerAnnotation} is '{owner}', not DNS_OWNER_ID '{_ownerId}'";
        throw new DnsProviderException(
            $"{ObjectReference} exists but is not this relay's: {whose}; delete it or choose another DNS_ENDPOINT_NAME");
    }

    private static string ManagedBy(DnsEndpointResource resource) =>
        resource.Metadata.Labels is { } labels && labels.TryGetValue(ManagedByLabel, out var tool) ? tool : "someone else";

    private async Task<DnsEndpointResource> CreateAsync(List<DnsEndpointEntry> endpoints, CancellationToken cancellationToken)
    {
        var body = Build(endpoints, resourceVersion: null, otherAnnotations: null);
        return await _client.CustomObjects.CreateNamespacedCustomObjectAsync<DnsEndpointResource>(
            body, DnsEndpointResource.ApiGroup, DnsEndpointResource.ApiVersionName, _namespace, DnsEndpointResource.Plural,
            cancellationToken: cancellationToken);
    }

    private async Task<DnsEndpointResource> ReplaceAsync(DnsEndpointResource current, List<DnsEndpointEntry> endpoints, CancellationToken cancellationToken)
    {
        var body = Build(endpoints, current.Metadata.ResourceVersion, current.Metadata.Annotations);
        return await _client.CustomObjects.ReplaceNamespacedCustomObjectAsync<DnsEndpointResource>(
            body, DnsEndpointResource.ApiGroup, DnsEndpointResource.ApiVersionName, _namespace, DnsEndpointResource.Plural,
            _settings.EndpointName, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// The whole object to send. Labels are exactly DNS_ENDPOINT_LABELS plus <see cref="ManagedByLabel"/>, so a
    /// label removed from the configuration leaves the object (it may be what external-dns's --label-filter
    /// selects on); annotations others added are kept.
    /// </summary>
    private DnsEndpointResource Build(List<DnsEndpointEntry> endpoints, string? resourceVersion, IDictionary<string, string>? otherAnnotations)
    {
        var labels = new Dictionary<string, string>(_settings.Labels, StringComparer.Ordinal) { [ManagedByLabel] = ManagedByValue };
        var annotations = otherAnnotations is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(otherAnnotations, StringComparer.Ordinal);
        annotations[OwnerAnnotation] = _ownerId;
        return new DnsEndpointResource
        {
            Metadata = new V1ObjectMeta
            {
                Name = _settings.EndpointName,
                NamespaceProperty = _namespace,
                ResourceVersion = resourceVersion,
                Labels = labels,
                Annotations = annotations,
            },
            Spec = new DnsEndpointSpec { Endpoints = endpoints },
        };
    }

    /// <summary>A read's outcome, absent object included, so "not read yet" and "read, not there" differ.</summary>
    private sealed record LastSeen(DnsEndpointResource? Resource);
}
