using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;

namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>
/// A client for the Kubernetes API and the namespace the relay works in (its DNSEndpoint and its Service).
/// </summary>
/// <remarks>
/// The source is chosen as controller-runtime chooses it: an explicit KUBECONFIG first (an operator who sets it
/// in a pod means another cluster or identity), then the pod's service account. The home directory's
/// <c>~/.kube/config</c> is deliberately not guessed: a daemon should not act on whatever cluster a developer's
/// shell last pointed at. The namespace is DNS_KUBERNETES_NAMESPACE, else the pod's own (the service account's
/// namespace file), else the kubeconfig context's, else <c>default</c> as kubectl does.
/// </remarks>
public sealed class KubernetesConnection : IDisposable
{
    /// <summary>Where the kubelet mounts a pod's service-account token, CA certificate and namespace.</summary>
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private KubernetesConnection(IKubernetes client, string @namespace, string source)
    {
        Client = client;
        Namespace = @namespace;
        Source = source;
    }

    public IKubernetes Client { get; }

    /// <summary>The namespace of the relay's DNSEndpoint and Service.</summary>
    public string Namespace { get; }

    /// <summary>How the API was reached, for logs: <c>in-cluster service account</c> or <c>KUBECONFIG path</c>.</summary>
    public string Source { get; }

    /// <summary>Connects from the process's environment and the standard service-account mount.</summary>
    /// <exception cref="KubernetesConnectionException">Neither a service account nor KUBECONFIG is usable.</exception>
    public static KubernetesConnection Open(string? configuredNamespace, ILogger logger) =>
        Open(configuredNamespace, Environment.GetEnvironmentVariable, DefaultServiceAccountDirectory, logger);

    /// <summary>Connects using <paramref name="environment"/> for variables and <paramref name="serviceAccountDirectory"/> for the mount.</summary>
    /// <exception cref="KubernetesConnectionException">Neither a service account nor KUBECONFIG is usable.</exception>
    public static KubernetesConnection Open(
        string? configuredNamespace, Func<string, string?> environment, string serviceAccountDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(serviceAccountDirectory);
        ArgumentNullException.ThrowIfNull(logger);

        var (configuration, source) = FromKubeconfig(environment("KUBECONFIG"))
            ?? FromServiceAccount(environment, serviceAccountDirectory);
        var @namespace = FirstNonEmpty(
            configuredNamespace,
            ReadIfPresent(Path.Combine(serviceAccountDirectory, "namespace")),
            configuration.Namespace) ?? "default";

        IKubernetes client;
        try
        {
            client = new k8s.Kubernetes(configuration);
        }
        catch (Exception exception) when (exception is KubeConfigException or IOException or FormatException or UriFormatException)
        {
            throw new KubernetesConnectionException($"Cannot build a Kubernetes client from {source}: {exception.Message}", exception);
        }

        KubernetesDnsLog.Connected(logger, source, @namespace);
        return new KubernetesConnection(client, @namespace, source);
    }

    public void Dispose() => Client.Dispose();

    private static (KubernetesClientConfiguration, string)? FromKubeconfig(string? variable)
    {
        if (string.IsNullOrWhiteSpace(variable))
        {
            return null;
        }

        var listed = variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // kubectl merges several files; the relay takes the first that exists, which is enough to point it at one cluster.
        var path = listed.FirstOrDefault(File.Exists)
            ?? throw new KubernetesConnectionException(
                $"KUBECONFIG names {string.Join(", ", listed)}, but no such file exists; fix KUBECONFIG or unset it to use the pod's service account");
        try
        {
            return (KubernetesClientConfiguration.BuildConfigFromConfigFile(path), $"KUBECONFIG {path}");
        }
        catch (Exception exception) when (exception is KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            throw new KubernetesConnectionException($"KUBECONFIG {path} cannot be used: {exception.Message}", exception);
        }
    }

    private static (KubernetesClientConfiguration, string) FromServiceAccount(Func<string, string?> environment, string directory)
    {
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubernetesConnectionException(
                "No Kubernetes API to talk to: KUBECONFIG is not set and this is not a pod (KUBERNETES_SERVICE_HOST and "
                + "KUBERNETES_SERVICE_PORT are not set); run the relay in the cluster or set KUBECONFIG");
        }

        var token = Path.Combine(directory, "token");
        var certificate = Path.Combine(directory, "ca.crt");
        foreach (var file in new[] { token, certificate })
        {
            if (!File.Exists(file))
            {
                throw new KubernetesConnectionException(
                    $"Running in a pod but {file} is missing: the pod has no service-account token; set "
                    + "automountServiceAccountToken: true on its ServiceAccount (chart: serviceAccount.automountServiceAccountToken), or set KUBECONFIG");
            }
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber))
        {
            throw new KubernetesConnectionException($"KUBERNETES_SERVICE_PORT '{port}' is not a port number");
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(certificate);
        }
        catch (CryptographicException exception)
        {
            throw new KubernetesConnectionException($"The service account's CA certificate {certificate} cannot be read: {exception.Message}", exception);
        }

        var configuration = new KubernetesClientConfiguration
        {
            Host = new UriBuilder(Uri.UriSchemeHttps, host, portNumber).ToString(),
            // Re-reads the file as the kubelet rotates the projected token.
            TokenProvider = new TokenFileAuth(token),
            SslCaCerts = authorities,
        };
        return (configuration, "in-cluster service account");
    }

    private static string? ReadIfPresent(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
}
