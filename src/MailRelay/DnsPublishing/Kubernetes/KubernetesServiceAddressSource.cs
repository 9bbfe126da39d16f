using System.Net;
using k8s;
using k8s.Models;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// The relay's public addresses as Kubernetes gives them to its own Service (DNS_KUBERNETES_SERVICE): the IPs in
/// <c>status.loadBalancer.ingress</c>, which the cloud's controller fills once the load balancer exists and
/// changes when it is rebuilt; read on every call, so a new address is published at the next check.
/// </summary>
/// <remarks>
/// <para>
/// When there is no ingress IP the Service's <c>spec.externalIPs</c> are used: those are addresses the operator
/// routed to the nodes by hand (a Service of type ClusterIP or NodePort, or a load balancer a cloud never fills
/// in), and kube-proxy answers on them whatever the type. <c>spec.loadBalancerIP</c> is not used: it is a
/// request to the cloud that may be ignored, and an address is only live once it shows in the ingress.
/// </para>
/// <para>
/// An ingress that has only a hostname (an AWS Classic or Application Load Balancer) is refused, not resolved:
/// those addresses belong to AWS and change without the Service changing, so A records and SPF <c>ip4:</c>
/// mechanisms built from them would silently go stale. Such a relay needs fixed addresses (an NLB with Elastic
/// IPs, given in DNS_EXTERNAL_IPS).
/// </para>
/// </remarks>
public sealed class KubernetesServiceAddressSource : IPublicAddressSource
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _serviceName;

    public KubernetesServiceAddressSource(IKubernetes client, string @namespace, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(@namespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        _client = client;
        _namespace = @namespace;
        _serviceName = serviceName;
    }

    public string Description => $"Service {_namespace}/{_serviceName}";

    public async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(CancellationToken cancellationToken)
    {
        V1Service service;
        try
        {
            service = await _client.CoreV1.ReadNamespacedServiceAsync(_serviceName, _namespace, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (KubernetesApiFailure.IsStatus(exception, HttpStatusCode.NotFound))
        {
            throw KubernetesApiFailure.ToProviderException(
                $"Reading {Description}", exception, "no such Service; DNS_KUBERNETES_SERVICE must name the relay's own Service in that namespace");
        }
        catch (Exception exception) when (KubernetesApiFailure.IsApiFailure(exception))
        {
            throw KubernetesApiFailure.ToProviderException($"Reading {Description}", exception);
        }

        var ingress = service.Status?.LoadBalancer?.Ingress ?? [];
        var fromIngress = Parse(ingress.Select(entry => entry.Ip), "status.loadBalancer.ingress[].ip");
        if (fromIngress.Count > 0)
        {
            return fromIngress;
        }

        var fromExternalIps = Parse(service.Spec?.ExternalIPs ?? [], "spec.externalIPs");
        if (fromExternalIps.Count > 0)
        {
            return fromExternalIps;
        }

        var hostnames = ingress.Select(entry => entry.Hostname).Where(name => !string.IsNullOrEmpty(name)).ToList();
        if (hostnames.Count > 0)
        {
            throw new DnsProviderException(
                $"{Description}'s load balancer has only a hostname ({string.Join(", ", hostnames)}), whose addresses change without notice; "
                + "give the relay fixed public addresses in DNS_EXTERNAL_IPS");
        }

        if (service.Spec?.Type != "LoadBalancer")
        {
            throw new DnsProviderException(
                $"{Description} is of type {service.Spec?.Type ?? "ClusterIP"} and has no spec.externalIPs, so it has no public address; "
                + "make it a LoadBalancer or set DNS_EXTERNAL_IPS");
        }

        throw new DnsProviderException($"{Description}: the LoadBalancer has no address yet (status.loadBalancer.ingress is empty)");
    }

    /// <summary>The distinct addresses in <paramref name="texts"/>; text that is not an address is the API's fault, not a missing address.</summary>
    private List<IPAddress> Parse(IEnumerable<string?> texts, string field)
    {
        var addresses = new List<IPAddress>();
        foreach (var text in texts.Where(text => !string.IsNullOrEmpty(text)))
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                throw new DnsProviderException($"{Description}: {field} holds '{text}', which is not an IP address");
            }

            if (!addresses.Contains(address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }
}
