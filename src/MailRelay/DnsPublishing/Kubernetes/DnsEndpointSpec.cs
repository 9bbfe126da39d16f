namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>The <c>spec</c> of a DNSEndpoint: the record sets external-dns is asked to publish.</summary>
internal sealed class DnsEndpointSpec
{
    public List<DnsEndpointEntry>? Endpoints { get; set; }
}
