using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Support;

/// <summary>
/// A Kubernetes API server on 127.0.0.1 port 0 with just what the relay calls: DNSEndpoints
/// (externaldns.k8s.io/v1alpha1: get, create, update, and get of the status subresource) and Services (get). It checks the bearer token, keeps resourceVersion and generation as the real server does (see
/// <see cref="FakeKubernetesObjects"/>) and records every request as a <see cref="KubernetesApiCall"/>, so a test
/// can compare what the code did with what the chart's Role grants. The test plays external-dns
/// (<see cref="MarkObserved"/>) and the cloud's load-balancer controller (<see cref="SetService"/>).
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string DnsEndpointGroup = "externaldns.k8s.io";

    private const string DnsEndpointVersion = "v1alpha1";

    private readonly WebApplication _app;
    private readonly FakeKubernetesObjects _dnsEndpoints = new();
    private readonly FakeKubernetesObjects _services = new();
    private readonly Lock _callsGate = new();
    private readonly List<KubernetesApiCall> _calls = [];

    private FakeKubernetesApi(WebApplication app, string accessToken)
    {
        _app = app;
        AccessToken = accessToken;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The bearer token the fake accepts; any other is answered 401.</summary>
    public string AccessToken { get; }

    public IReadOnlyList<KubernetesApiCall> Calls
    {
        get
        {
            lock (_callsGate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Plain HTTP, or HTTPS with <paramref name="serverCertificate"/> (as a pod sees the API server).</summary>
    public static async Task<FakeKubernetesApi> StartAsync(X509Certificate2? serverCertificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is not null)
            {
                listen.UseHttps(serverCertificate);
            }
        }));
        var app = builder.Build();
        var api = new FakeKubernetesApi(app, "fake-token-" + Guid.NewGuid().ToString("N"));
        app.Run(api.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        api.BaseUri = new Uri(address);
        return api;
    }

    /// <summary>How a client reaches the fake on plain HTTP, with its token.</summary>
    public KubernetesClientConfiguration ClientConfiguration() => new() { Host = BaseUri.ToString(), AccessToken = AccessToken };

    public IKubernetes CreateClient() => new k8s.Kubernetes(ClientConfiguration());

    /// <summary>A kubeconfig file in <paramref name="directory"/> reaching this server (or, without one, a closed port) with its token.</summary>
    public static string WriteKubeconfig(string directory, FakeKubernetesApi? api, string @namespace)
    {
        var path = Path.Combine(directory, "kubeconfig.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {api?.BaseUri.ToString() ?? "http://127.0.0.1:9"}
            users:
              - name: relay
                user:
                  token: {api?.AccessToken ?? "unused"}
            contexts:
              - name: fake
                context:
                  cluster: fake
                  user: relay
                  namespace: {@namespace}
            current-context: fake
            """);
        return path;
    }

    public JsonObject? DnsEndpoint(string @namespace, string name) => _dnsEndpoints.Get(Key(@namespace, name));

    /// <summary>Puts an object there as if someone else had created it.</summary>
    public void SeedDnsEndpoint(string @namespace, string name, JsonObject resource) => _dnsEndpoints.Seed(Key(@namespace, name), resource);

    /// <summary>Deletes the object as someone else would.</summary>
    public void DeleteDnsEndpoint(string @namespace, string name) => _dnsEndpoints.Delete(Key(@namespace, name));

    /// <summary>Plays external-dns after a sync; returns the generation it observed.</summary>
    public long MarkObserved(string @namespace, string name) => _dnsEndpoints.MarkObserved(Key(@namespace, name));

    /// <summary>The next <paramref name="count"/> DNSEndpoint updates each lose a race with another writer (409).</summary>
    public void InterleaveDnsEndpointWrites(int count) => _dnsEndpoints.InterleaveWrites(count);

    /// <summary>Creates or replaces a Service of <paramref name="type"/> whose load balancer reports <paramref name="ingress"/> (IPs, or hostnames).</summary>
    public void SetService(string @namespace, string name, string type, IEnumerable<string> ingress, IEnumerable<string>? externalIps = null)
    {
        var ingressEntries = new JsonArray();
        foreach (var entry in ingress)
        {
            ingressEntries.Add(new JsonObject { [IPAddress.TryParse(entry, out _) ? "ip" : "hostname"] = entry });
        }

        var spec = new JsonObject { ["type"] = type, ["ports"] = new JsonArray(new JsonObject { ["port"] = 25 }) };
        if (externalIps is not null)
        {
            spec["externalIPs"] = new JsonArray([.. externalIps.Select(ip => (JsonNode)ip)]);
        }

        _services.Seed(Key(@namespace, name), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingressEntries } },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Key(string @namespace, string name) => $"{@namespace}/{name}";

    private async Task HandleAsync(HttpContext context)
    {
        var request = ApiRequest.Parse(context.Request.Method, context.Request.Path.Value ?? "");
        FakeKubernetesObjects.Outcome outcome;
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {AccessToken}")
        {
            outcome = new(401, null, "Unauthorized", "Unauthorized");
        }
        else if (request is null)
        {
            outcome = new(404, null, "NotFound", $"no route for {context.Request.Method} {context.Request.Path}");
        }
        else
        {
            var body = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0
                ? await JsonNode.ParseAsync(context.Request.Body) as JsonObject
                : null;
            outcome = Serve(request, body);
        }

        if (request is not null)
        {
            lock (_callsGate)
            {
                _calls.Add(new KubernetesApiCall(request.Verb, request.Group, request.Resource, request.Subresource, outcome.StatusCode));
            }
        }

        context.Response.StatusCode = outcome.StatusCode;
        context.Response.ContentType = "application/json";
        var answer = outcome.Body ?? new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = outcome.Message,
            ["reason"] = outcome.Reason,
            ["code"] = outcome.StatusCode,
        };
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private FakeKubernetesObjects.Outcome Serve(ApiRequest request, JsonObject? body)
    {
        var store = request switch
        {
            { Group: DnsEndpointGroup, Version: DnsEndpointVersion, Resource: "dnsendpoints" } => _dnsEndpoints,
            { Group: "", Version: "v1", Resource: "services" } => _services,
            _ => null,
        };
        var key = request.Name is null ? null : Key(request.Namespace, request.Name);
        var readOnly = store == _services;
        return (request.Verb, request.Subresource) switch
        {
            _ when store is null => new(404, null, "NotFound", $"the server could not find the requested resource ({request.Resource})"),
            ("get", null or "status") => store.Get(key!) is { } found ? new(200, found) : new(404, null, "NotFound", $"{request.Resource} \"{request.Name}\" not found"),
            ("create", null) when !readOnly && body is not null => store.Create(Key(request.Namespace, body["metadata"]?["name"]?.GetValue<string>() ?? ""), request.Namespace, body),
            ("update", null) when !readOnly && body is not null => store.Update(key!, body),
            _ => new(405, null, "MethodNotAllowed", $"{request.Verb} {request.Resource} is not served by this fake"),
        };
    }

    /// <summary>A request path split the way the API server (and RBAC) sees it.</summary>
    private sealed record ApiRequest(string Verb, string Group, string Version, string Namespace, string Resource, string? Name, string? Subresource)
    {
        public static ApiRequest? Parse(string method, string path)
        {
            var parts = path.Trim('/').Split('/');
            // /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]] or /apis/{group}/{version}/namespaces/{ns}/...
            var (group, version, rest) = parts switch
            {
                ["api", var v, .. var tail] => ("", v, tail),
                ["apis", var g, var v, .. var tail] => (g, v, tail),
                _ => ("", "", Array.Empty<string>()),
            };
            if (rest.Length is < 3 or > 5 || rest[0] != "namespaces")
            {
                return null;
            }

            var name = rest.Length > 3 ? rest[3] : null;
            var verb = method switch
            {
                "GET" => name is null ? "list" : "get",
                "POST" => "create",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => name is null ? "deletecollection" : "delete",
                _ => method.ToLowerInvariant(),
            };
            return new ApiRequest(verb, group, version, rest[1], rest[2], name, rest.Length > 4 ? rest[4] : null);
        }
    }
}
