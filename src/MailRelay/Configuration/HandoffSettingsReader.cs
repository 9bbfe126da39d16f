using System.Net;
using MailRelay.Configuration.Syntax;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads HANDOFF_* and POD_NAME.</summary>
internal static class HandoffSettingsReader
{
    public static HandoffSettings Read(EnvironmentReader reader, Func<string> machineHostName, bool allowEverything)
    {
        var service = reader.Given(N.HandoffService)?.Trim();
        reader.Resolve(N.HandoffService, service ?? "none", fromDefault: service is null);
        if (service is { Length: 0 })
        {
            service = null;
        }

        if (service is not null && !IPAddress.TryParse(service, out _) && Uri.CheckHostName(service) != UriHostNameType.Dns)
        {
            reader.Error(N.HandoffService, $"'{service}' is neither a DNS name nor an IP address; give the headless Service's name, e.g. mailrelay-handoff.mail.svc.");
            service = null;
        }

        var port = reader.Read<int>(N.HandoffPort, EndpointSyntax.TryParsePort);
        var timeout = reader.ReadPositiveDuration(N.HandoffTimeout);
        var peers = ListenerReader.ReadNetworks(reader, N.HandoffPeers, allowEverything);

        var givenPod = reader.Given(N.PodName)?.Trim();
        string podName;
        try
        {
            podName = givenPod is { Length: > 0 } ? givenPod : machineHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            podName = string.Empty;
        }

        reader.Resolve(N.PodName, podName, fromDefault: givenPod is null);
        if (service is not null && StatefulSetOrdinal.TryParse(podName, out _, out _) is false)
        {
            reader.Error(N.PodName, $"'{podName}' is not a StatefulSet pod name (<statefulset>-<ordinal>), which {N.HandoffService} needs; set {N.PodName} from the pod's metadata.name.");
        }

        Uri? api = null;
        var apiText = reader.Given(N.HandoffKubernetesApi)?.Trim();
        reader.Resolve(N.HandoffKubernetesApi, apiText ?? "none", fromDefault: apiText is null);
        if (apiText is { Length: > 0 })
        {
            if (Uri.TryCreate(apiText, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps))
            {
                api = parsed;
            }
            else
            {
                reader.Error(N.HandoffKubernetesApi, $"'{apiText}' is not an http or https URL.");
            }
        }

        return new HandoffSettings
        {
            Service = service,
            Port = port,
            Timeout = timeout,
            Peers = peers,
            PodName = podName,
            KubernetesApi = api,
        };
    }
}
