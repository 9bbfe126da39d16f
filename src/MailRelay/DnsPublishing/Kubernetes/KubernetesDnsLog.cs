namespace MailRelay.DnsPublishing.Kubernetes;

/// <summary>Log events of the Kubernetes side of DNS publishing. Tokens and kubeconfig contents never appear.</summary>
internal static partial class KubernetesDnsLog
{
    [LoggerMessage(EventId = 8301, Level = LogLevel.Information,
        Message = "Created DNSEndpoint {Namespace}/{Name} with {RecordSets} record sets (generation {Generation})")]
    public static partial void EndpointCreated(ILogger logger, string @namespace, string name, int recordSets, long generation);

    [LoggerMessage(EventId = 8302, Level = LogLevel.Information,
        Message = "Updated DNSEndpoint {Namespace}/{Name} to {RecordSets} record sets (generation {Generation})")]
    public static partial void EndpointUpdated(ILogger logger, string @namespace, string name, int recordSets, long generation);

    [LoggerMessage(EventId = 8303, Level = LogLevel.Information,
        Message = "DNSEndpoint {Namespace}/{Name} changed since it was read (attempt {Attempt}); reading it again")]
    public static partial void WriteConflict(ILogger logger, string @namespace, string name, int attempt);

    [LoggerMessage(EventId = 8304, Level = LogLevel.Debug,
        Message = "DNSEndpoint {Namespace}/{Name}: generation {Generation}, observed by external-dns {ObservedGeneration}")]
    public static partial void EndpointGeneration(ILogger logger, string @namespace, string name, long generation, long observedGeneration);

    [LoggerMessage(EventId = 8305, Level = LogLevel.Information,
        Message = "Kubernetes API reached through {Source}, namespace {Namespace}")]
    public static partial void Connected(ILogger logger, string source, string @namespace);
}
