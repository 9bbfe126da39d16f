using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Support;

/// <summary>
/// The one Kubernetes call of the scale-down check, on 127.0.0.1 port 0 without credentials (HANDOFF_KUBERNETES_API):
/// GET of a StatefulSet in namespace <c>default</c>, answering the <see cref="Replicas"/> the test sets.
/// </summary>
internal sealed class FakeStatefulSetApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _replicas;
    private int _reads;

    private FakeStatefulSetApi(WebApplication app, int replicas)
    {
        _app = app;
        _replicas = replicas;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The StatefulSet's <c>spec.replicas</c>, changed as a scale-down changes it.</summary>
    public int Replicas
    {
        get => Volatile.Read(ref _replicas);
        set => Volatile.Write(ref _replicas, value);
    }

    /// <summary>GETs answered so far.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public static async Task<FakeStatefulSetApi> StartAsync(int replicas)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var api = new FakeStatefulSetApi(app, replicas);
        app.MapGet("/apis/apps/v1/namespaces/default/statefulsets/{name}", (string name) =>
        {
            Interlocked.Increment(ref api._reads);
            var body = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "StatefulSet",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = api.Replicas,
                    ["serviceName"] = name + "-handoff",
                    ["selector"] = new JsonObject(),
                    ["template"] = new JsonObject(),
                },
            };
            return Results.Text(body.ToJsonString(), "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        api.BaseUri = new Uri(address);
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
