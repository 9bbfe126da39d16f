namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// The <c>status</c> of a DNSEndpoint. external-dns's CRD source sets <see cref="ObservedGeneration"/> to the
/// object's <c>metadata.generation</c> each time it has taken the spec into a sync, which is the only signal it
/// gives that a change has been picked up.
/// </summary>
internal sealed class DnsEndpointStatus
{
    public long? ObservedGeneration { get; set; }
}
