namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// The Kubernetes API cannot be reached from this process at all: not in a pod with a service-account token and
/// no usable KUBECONFIG. Unlike <see cref="DnsProviderException"/> this is not worth retrying; the message names
/// what is missing and how to provide it.
/// </summary>
public sealed class KubernetesConnectionException : Exception
{
    public KubernetesConnectionException()
    {
    }

    public KubernetesConnectionException(string message)
        : base(message)
    {
    }

    public KubernetesConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
