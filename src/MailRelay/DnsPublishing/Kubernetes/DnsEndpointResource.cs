using k8s.Models;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// A DNSEndpoint (externaldns.k8s.io/v1alpha1) as the API server sends and takes it. Only the fields the relay
/// reads or writes are modelled: the generic custom-object client carries any shape, and fields left out here are
/// simply not sent back, which is right for an object this relay alone owns.
/// </summary>
internal sealed class DnsEndpointResource
{
    public const string ApiGroup = "externaldns.k8s.io";
    public const string ApiVersionName = "v1alpha1";
    public const string Plural = "dnsendpoints";
    public const string KindName = "DNSEndpoint";

    public string ApiVersion { get; set; } = $"{ApiGroup}/{ApiVersionName}";

    public string Kind { get; set; } = KindName;

    public V1ObjectMeta Metadata { get; set; } = new();

    public DnsEndpointSpec? Spec { get; set; }

    /// <summary>Written by external-dns through the status subresource; never sent by the relay.</summary>
    public DnsEndpointStatus? Status { get; set; }
}
